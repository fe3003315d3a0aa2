/**
 * A JupyterLab confirmation dialog with an optional comment, for actions the
 * registry records in its stage history (promote, rollback).
 *
 * The body is built with `textContent`, never HTML: the message names models
 * whose names come from users.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

class CommentBody extends Widget implements Dialog.IBodyWidget<string> {
  constructor(message: string) {
    super();
    this.addClass('jp-mlops-confirm');
    const text = document.createElement('p');
    text.textContent = message;
    const label = document.createElement('label');
    label.className = 'jp-mlops-confirm-label';
    label.textContent = 'Comment (optional)';
    this._input = document.createElement('input');
    this._input.className = 'jp-mod-styled jp-mlops-confirm-comment';
    this._input.type = 'text';
    this._input.maxLength = 2000;
    label.appendChild(this._input);
    this.node.append(text, label);
  }

  getValue(): string {
    return this._input.value;
  }

  private _input: HTMLInputElement;
}

/**
 * Ask before `action`; resolves to the comment (possibly '') when accepted,
 * or null when cancelled. Enter in the comment field accepts.
 */
export async function confirmWithComment(
  title: string,
  message: string,
  action: string
): Promise<string | null> {
  const result = await showDialog<string>({
    title,
    body: new CommentBody(message),
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: action })],
    focusNodeSelector: 'input'
  });
  return result.button.accept ? result.value ?? '' : null;
}
