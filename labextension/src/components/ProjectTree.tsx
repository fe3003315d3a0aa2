/**
 * Project > Experiment levels of the tree. Choosing a node scopes the
 * iteration list below it, which is the third level: with 100,000 iterations
 * a real nested tree could not hold them, the virtualized list can.
 */
import * as React from 'react';

import { MlopsModel } from '../model';
import { IExperiment, IProject } from '../tokens';

interface IProps {
  model: MlopsModel;
}

export function ProjectTree({ model }: IProps): JSX.Element {
  const { projectId, experimentId } = model.query;
  const [expanded, setExpanded] = React.useState<Set<number>>(
    () => new Set(projectId !== null ? [projectId] : [])
  );

  const byProject = React.useMemo(() => {
    const map = new Map<number, IExperiment[]>();
    for (const exp of model.experiments) {
      const list = map.get(exp.project_id) ?? [];
      list.push(exp);
      map.set(exp.project_id, list);
    }
    return map;
  }, [model.experiments]);

  const toggle = (id: number) => {
    const next = new Set(expanded);
    if (next.has(id)) {
      next.delete(id);
    } else {
      next.add(id);
    }
    setExpanded(next);
  };

  const selectProject = (project: IProject | null) => {
    if (project && !expanded.has(project.id)) {
      toggle(project.id);
    }
    model.setQuery({ projectId: project?.id ?? null, experimentId: null });
  };

  const totalIterations = model.projects.reduce((n, p) => n + (p.iteration_count ?? 0), 0);

  return (
    <nav className="jp-mlops-tree" aria-label="Projects and experiments">
      <ul>
        <li>
          <button
            className="jp-mlops-tree-node jp-mlops-tree-all"
            aria-current={projectId === null ? 'true' : undefined}
            onClick={() => selectProject(null)}
          >
            <span className="jp-mlops-tree-label">All projects</span>
            <span className="jp-mlops-count">{totalIterations}</span>
          </button>
        </li>
        {model.projects.map(project => {
          const open = expanded.has(project.id);
          const experiments = byProject.get(project.id) ?? [];
          return (
            <li key={project.id} className="jp-mlops-tree-project">
              <div className="jp-mlops-tree-row">
                <button
                  className="jp-mlops-tree-toggle"
                  aria-expanded={open}
                  aria-label={`${open ? 'Collapse' : 'Expand'} project ${project.name}`}
                  onClick={() => toggle(project.id)}
                >
                  {open ? '▾' : '▸'}
                </button>
                <button
                  className="jp-mlops-tree-node"
                  data-project-id={project.id}
                  aria-current={projectId === project.id && experimentId === null ? 'true' : undefined}
                  title={project.description ?? project.name}
                  onClick={() => selectProject(project)}
                >
                  <span className="jp-mlops-tree-label">{project.name}</span>
                  <span className="jp-mlops-count">{project.iteration_count}</span>
                </button>
              </div>
              {open && (
                <ul aria-label={`Experiments of ${project.name}`}>
                  {experiments.map(exp => (
                    <li key={exp.id}>
                      <button
                        className="jp-mlops-tree-node jp-mlops-tree-experiment"
                        data-experiment-id={exp.id}
                        aria-current={experimentId === exp.id ? 'true' : undefined}
                        title={exp.description ?? exp.name}
                        onClick={() =>
                          model.setQuery({ projectId: project.id, experimentId: exp.id })
                        }
                      >
                        <span className="jp-mlops-tree-label">{exp.name}</span>
                        <span className="jp-mlops-count">{exp.iteration_count}</span>
                      </button>
                    </li>
                  ))}
                  {experiments.length === 0 && <li className="jp-mlops-muted">No experiments</li>}
                </ul>
              )}
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
