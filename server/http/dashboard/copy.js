// Copy buttons: any <button data-copy="text"> puts its text on the clipboard and says so.
import { setText } from './util.js';

async function writeClipboard(text) {
  if (navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Refused (no permission, page not focused): fall back to the selection below.
    }
  }
  // A page served over plain HTTP from another host has no navigator.clipboard.
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

/** One listener for the whole page: buttons are re-created as paths come and go. */
export function installCopyButtons() {
  document.addEventListener('click', async (ev) => {
    const button = ev.target instanceof Element ? ev.target.closest('button[data-copy]') : null;
    if (!button) return;
    const ok = await writeClipboard(button.dataset.copy);
    button.dataset.copied = ok ? 'yes' : 'no';
    setText(button, ok ? 'Copied' : 'Select and copy');
    // Screen readers hear the outcome (the button keeps its label).
    const what = (button.getAttribute('aria-label') ?? '').replace(/^Copy /, '');
    const say = document.getElementById('announce');
    if (say) say.textContent = ok ? `Copied the ${what}` : `Could not copy the ${what}: select it and copy`;
    clearTimeout(button._reset);
    button._reset = setTimeout(() => {
      setText(button, 'Copy');
      delete button.dataset.copied;
    }, 1500);
  });
}
