// Config without restarts: the file is reloaded when it changes or on SIGHUP, and the config API's path edits go through the same code (and back into the file).
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Document, parseDocument } from 'yaml';
import { ConfigError, mergeConfig, parseConfigText, pathNameProblem, type Config, type ConfigInput } from '../config.js';
import { describeDiff } from '../config-diff.js';
import { configErrorReasons, type ConfigEditor, type PathEdit, type PathEditResult } from '../config-editor.js';
import { applyConfig, type ReloadTarget } from './apply.js';
import { editPathsDocument } from './file-edit.js';
import { watchConfigFile } from './watch.js';

/** How edited files are written: `{a: 1}` as most hand-written configs have it, not yaml's default `{ a: 1 }`. */
const YAML_STYLE = { flowCollectionPadding: false } as const;

export class Reloader implements ConfigEditor {
  /** Reloads and edits run one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The file's text as last applied or written by us: the watcher ignores events that leave it so (our own writes). */
  private appliedText: string | undefined;
  /** The text last refused: refused once, not at every event while it stays so. */
  private refusedText: string | undefined;
  /** Without a config file: the running config as the API has edited it (the flags stay on top). */
  private memory: Document;
  private watcher: { close(): void } | undefined;

  constructor(
    private readonly t: ReloadTarget,
    /** The --config file, if the server was started with one. */
    readonly file: string | undefined,
    /** The command-line flags: they win over the file at every reload, as at start. */
    private readonly overrides: ConfigInput = {},
  ) {
    if (file) this.appliedText = readText(file);
    // Without a file the running config stands for one: settings given to startTidecast stay what they are.
    this.memory = new Document(file ? {} : JSON.parse(JSON.stringify(t.config)));
  }

  /** Reloads the file when it changes (within about 200 ms of the last write). */
  watch(): void {
    if (this.file && !this.watcher) this.watcher = watchConfigFile(this.file, () => void this.reload('file changed', true), this.t.log);
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  current(): Config {
    return this.t.config;
  }

  /** Reads, validates and applies the file; `onlyIfChanged` (the watcher) skips a text already applied or refused. True when applied. */
  reload(trigger: string, onlyIfChanged = false): Promise<boolean> {
    return this.serial(() => this.reloadNow(trigger, onlyIfChanged));
  }

  editPath(edit: PathEdit): Promise<PathEditResult> {
    return this.serial(() => this.editNow(edit));
  }

  private async reloadNow(trigger: string, onlyIfChanged: boolean): Promise<boolean> {
    const { log } = this.t;
    const file = this.file;
    if (!file) {
      log.info({ trigger }, `${trigger}: nothing to reload (the server was started without --config)`);
      return false;
    }
    const text = readText(file);
    if (onlyIfChanged && (text === this.appliedText || text === this.refusedText)) return false;
    let next: Config;
    try {
      if (text === undefined) throw new ConfigError(`cannot read ${file}`);
      next = mergeConfig(parseConfigText(text, file), this.overrides, file);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      this.refusedText = text;
      const reasons = configErrorReasons(e.message);
      log.warn({ file, trigger, reasons }, `config reload refused (${trigger}), the running config stays: ${file}: ${reasons.join('; ')}`);
      return false;
    }
    this.appliedText = text;
    this.refusedText = undefined;
    const d = await applyConfig(this.t, next);
    log.info({ file, trigger, ...d }, `reloaded ${basename(file)}: ${describeDiff(d)}`);
    return true;
  }

  private async editNow(edit: PathEdit): Promise<PathEditResult> {
    const problem = pathNameProblem(edit.name);
    if (problem) return { ok: false, status: 400, reasons: [`bad path name ${JSON.stringify(edit.name)}: ${problem}`] };
    const file = this.file;
    let doc: Document;
    if (file) {
      const text = readText(file);
      if (text === undefined) return { ok: false, status: 500, reasons: [`cannot read the config file ${file}`] };
      doc = parseDocument(text);
      if (doc.errors.length > 0) return { ok: false, status: 409, reasons: [`the config file ${file} is not valid YAML now (${doc.errors[0]!.message}): fix it first`] };
    } else {
      doc = this.memory.clone();
    }
    const refused = editPathsDocument(doc, edit);
    if (refused) return { ok: false, status: refused.status, reasons: [refused.reason] };
    let next: Config;
    try {
      next = mergeConfig(parseConfigText(doc.toString(YAML_STYLE), file ?? 'the config'), this.overrides, file);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      return { ok: false, status: 400, reasons: configErrorReasons(e.message) };
    }
    if (file) {
      const out = doc.toString(YAML_STYLE);
      // Set before the write: the watcher's event for it then finds nothing new.
      this.appliedText = out;
      this.refusedText = undefined;
      writeFileSync(file, out);
    } else {
      this.memory = doc;
    }
    const d = await applyConfig(this.t, next);
    this.t.log.info({ path: edit.name, op: edit.op, ...(file ? { file } : {}), ...d }, `config API ${edit.op} ${edit.name}: ${describeDiff(d)}${file ? `; written to ${file}` : ''}`);
    const path = next.paths[edit.name];
    return { ok: true, ...(path ? { path } : {}), ...(file ? { file } : {}) };
  }

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f, f);
    this.queue = run.catch((e: unknown) => this.t.log.error({ err: (e as Error).message }, `config reload failed: ${(e as Error).message}`));
    return run;
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
