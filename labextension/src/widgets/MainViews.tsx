/**
 * Main-area wrappers for the iteration and compare views. Each is a
 * MainAreaWidget around a ReactWidget so it gets JupyterLab's tab, toolbar
 * area and close behaviour.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { CompareView } from '../components/CompareView';
import { IIterationActions, IterationView } from '../components/IterationView';
import { MlopsModel } from '../model';

/** The parts of the iteration actions that do not depend on the widget. */
export type IterationServices = Omit<IIterationActions, 'setTitle'>;

class IterationContent extends ReactWidget {
  constructor(
    private _model: MlopsModel,
    private _id: number,
    private _actions: IIterationActions
  ) {
    super();
    this.addClass('jp-mlops-main');
  }

  protected render(): JSX.Element {
    return <IterationView model={this._model} id={this._id} actions={this._actions} />;
  }
}

/** Widget ids are stable per iteration so opening twice reveals the first. */
export function iterationWidgetId(id: number): string {
  return `mlops-jupyter-iteration-${id}`;
}

export function createIterationWidget(
  model: MlopsModel,
  id: number,
  services: IterationServices
): MainAreaWidget<IterationContent> {
  let widget: MainAreaWidget<IterationContent>;
  const actions: IIterationActions = {
    ...services,
    setTitle: label => {
      widget.title.label = label;
      widget.title.caption = `Iteration ${label}`;
    }
  };
  const content = new IterationContent(model, id, actions);
  widget = new MainAreaWidget({ content });
  widget.id = iterationWidgetId(id);
  widget.title.label = `Iteration ${id}`;
  widget.title.closable = true;
  widget.addClass('jp-mlops-iteration-widget');
  return widget;
}

class CompareContent extends ReactWidget {
  constructor(
    private _model: MlopsModel,
    private _ids: number[],
    private _onOpen: (id: number) => void
  ) {
    super();
    this.addClass('jp-mlops-main');
  }

  protected render(): JSX.Element {
    return <CompareView model={this._model} ids={this._ids} onOpen={this._onOpen} />;
  }
}

export function createCompareWidget(
  model: MlopsModel,
  ids: number[],
  onOpen: (id: number) => void
): MainAreaWidget<CompareContent> {
  const content = new CompareContent(model, ids, onOpen);
  const widget = new MainAreaWidget({ content });
  widget.id = `mlops-jupyter-compare-${ids.join('-')}`;
  widget.title.label = `Compare ${ids.length} iterations`;
  widget.title.closable = true;
  widget.addClass('jp-mlops-compare-widget');
  return widget;
}
