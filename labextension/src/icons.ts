/**
 * The sidebar icon. Inline so it needs no asset loader; `jp-icon3` makes
 * JupyterLab recolour it for light and dark themes.
 */
import { LabIcon } from '@jupyterlab/ui-components';

const MLOPS_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <rect x="3" y="14" width="4" height="7" rx="1"/>
    <rect x="10" y="9" width="4" height="12" rx="1"/>
    <rect x="17" y="4" width="4" height="17" rx="1"/>
    <path d="M3 10.5 9.5 5l4 3L20 2.5l1 1.2-7.4 6.3-4-3L4 11.7z"/>
  </g>
</svg>`;

export const mlopsIcon = new LabIcon({ name: 'mlops-jupyter:panel-icon', svgstr: MLOPS_SVG });
