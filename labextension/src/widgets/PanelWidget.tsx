/**
 * The left sidebar widget. It only polls while it is visible: a hidden panel
 * should cost the server nothing.
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { Panel } from '../components/Panel';
import { MlopsModel } from '../model';
import { IIterationSummary } from '../tokens';

export interface IPanelWidgetOptions {
  model: MlopsModel;
  onOpen: (iterationId: number) => void;
  onCompare: (rows: IIterationSummary[]) => void;
}

export class PanelWidget extends ReactWidget {
  constructor(options: IPanelWidgetOptions) {
    super();
    this._options = options;
    this.addClass('jp-mlops-panel');
  }

  protected render(): JSX.Element {
    return <Panel {...this._options} />;
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._options.model.setActive(true);
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (this.isVisible) {
      this._options.model.setActive(true);
    }
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._options.model.setActive(false);
  }

  protected onBeforeDetach(msg: Message): void {
    this._options.model.setActive(false);
    super.onBeforeDetach(msg);
  }

  private _options: IPanelWidgetOptions;
}
