// A request URL as a log line may show it: the values of ?token= (and of password-like parameters) replaced by "***".

/** Query parameters whose values are credentials: the player's token, and passwords some clients send. */
const SECRET_PARAMS = /([?&](?:token|access_token|pass|password|secret)=)[^&#]*/gi;

/** `url` with every credential in its query masked; the rest (path, other parameters) untouched. */
export function hideSecrets(url: string): string {
  return url.replace(SECRET_PARAMS, '$1***');
}
