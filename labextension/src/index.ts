/**
 * mlops-jupyter side panel.
 *
 * One plugin adds the left-sidebar panel (iterations, models, monitoring) and
 * two commands that open main-area views: one iteration, and a comparison of
 * several. Data comes only from the server extension's REST API
 * (`{baseUrl}mlops/api/`), so the panel works the same whichever tracking
 * backend the server uses.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Clipboard, ICommandPalette, MainAreaWidget, Notification } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { IDocumentManager } from '@jupyterlab/docmanager';

import { mlopsIcon } from './icons';
import { MlopsModel } from './model';
import { IIterationSummary } from './tokens';
import {
  createCompareWidget,
  createIterationWidget,
  iterationWidgetId,
  IterationServices
} from './widgets/MainViews';
import { PanelWidget } from './widgets/PanelWidget';

export const PANEL_ID = 'mlops-jupyter:panel';

namespace CommandIDs {
  export const openIteration = 'mlops-jupyter:open-iteration';
  export const compare = 'mlops-jupyter:compare';
  export const showPanel = 'mlops-jupyter:show-panel';
}

/**
 * Notebook paths are recorded by the kernel, sometimes absolute. The
 * contents API wants them relative to the server root, so strip that root
 * when it prefixes the path, then ask the server whether the file exists.
 */
function notebookFinder(app: JupyterFrontEnd) {
  return async (recorded: string): Promise<string | null> => {
    const root = (PageConfig.getOption('serverRoot') || '').replace(/\/+$/, '');
    const candidates = [recorded];
    if (root && recorded.startsWith(root + '/')) {
      candidates.unshift(recorded.slice(root.length + 1));
    }
    for (const path of candidates) {
      if (path.startsWith('/')) {
        continue;
      }
      try {
        await app.serviceManager.contents.get(path, { content: false });
        return path;
      } catch {
        // not there: try the next form, or show no "open" button
      }
    }
    return null;
  };
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: PANEL_ID,
  description: 'Browse, open and compare mlops-jupyter projects, experiments and iterations.',
  autoStart: true,
  optional: [ILayoutRestorer, IDocumentManager, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    docManager: IDocumentManager | null,
    palette: ICommandPalette | null
  ) => {
    const model = new MlopsModel();

    const services: IterationServices = {
      findNotebook: notebookFinder(app),
      openNotebook: path => {
        if (docManager) {
          docManager.openOrReveal(path);
        } else {
          void app.commands.execute('docmanager:open', { path });
        }
      },
      copy: text => {
        Clipboard.copyToSystem(text);
        Notification.success('Code copied to the clipboard', { autoClose: 2000 });
      }
    };

    app.commands.addCommand(CommandIDs.openIteration, {
      label: 'Open MLOps Iteration',
      execute: args => {
        const id = Number(args.id);
        const existing = Array.from(app.shell.widgets('main')).find(
          w => w.id === iterationWidgetId(id)
        );
        if (existing) {
          app.shell.activateById(existing.id);
          return;
        }
        const widget = createIterationWidget(model, id, services);
        app.shell.add(widget, 'main');
        app.shell.activateById(widget.id);
      }
    });

    app.commands.addCommand(CommandIDs.compare, {
      label: 'Compare MLOps Iterations',
      execute: args => {
        const ids = ((args.ids as number[]) ?? []).map(Number);
        const widget: MainAreaWidget = createCompareWidget(model, ids, id =>
          app.commands.execute(CommandIDs.openIteration, { id })
        );
        const existing = Array.from(app.shell.widgets('main')).find(w => w.id === widget.id);
        if (existing) {
          widget.dispose();
          app.shell.activateById(existing.id);
          return;
        }
        app.shell.add(widget, 'main');
        app.shell.activateById(widget.id);
      }
    });

    const panel = new PanelWidget({
      model,
      onOpen: (id: number) => void app.commands.execute(CommandIDs.openIteration, { id }),
      onCompare: (rows: IIterationSummary[]) =>
        void app.commands.execute(CommandIDs.compare, { ids: rows.map(r => r.id) })
    });
    panel.id = PANEL_ID;
    panel.title.icon = mlopsIcon;
    panel.title.caption = 'MLOps: projects, experiments and iterations';
    app.shell.add(panel, 'left', { rank: 650 });
    if (restorer) {
      restorer.add(panel, PANEL_ID);
    }

    app.commands.addCommand(CommandIDs.showPanel, {
      label: 'Show MLOps Panel',
      execute: () => app.shell.activateById(PANEL_ID)
    });
    if (palette) {
      palette.addItem({ command: CommandIDs.showPanel, category: 'MLOps' });
    }
  }
};

export default plugin;
