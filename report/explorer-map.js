/* The explorer's evidence map: exercise modality by outcome domain, each cell giving its number of studies and
   one block per direction their outcomes show, with how many studies show it, in the direction colours; cells
   with a harmful outcome are outlined. The same reading as the review's figure
   (src/alsreview/synthesis/evidence_map.py and summary.directions_shown). Markup is htl's, which escapes every
   value. Exposes window.alsEvidenceMap. */
(function () {
  "use strict";

  const CELL_W = 62, CELL_H = 46, TOTAL_Y = 14, BLOCK_TOP = 21, BLOCK_H = 19, INSET = 5, GAP = 2;
  const FONT = 11, LABEL_CHAR = 6.4, TOP = 8, BOTTOM_MAX = 150;

  // summary.directions_shown: every stated direction of a study in a cell, 'unclear' only when none is stated.
  function directionsShown(directions, order) {
    const present = new Set(directions);
    const stated = order.filter((d) => present.has(d) && d !== "unclear");
    if (stated.length) return stated;
    return present.has("unclear") ? ["unclear"] : [];
  }

  // summary.count_directions for one cell: its studies, and how many of them show each direction.
  function cellCounts(rows, order) {
    const byStudy = new Map();
    for (const r of rows) {
      if (!byStudy.has(r.study_id)) byStudy.set(r.study_id, []);
      byStudy.get(r.study_id).push(r.direction);
    }
    const counts = Object.fromEntries(order.map((d) => [d, 0]));
    for (const directions of byStudy.values()) for (const d of directionsShown(directions, order)) counts[d] += 1;
    return {studies: byStudy.size, outcomes: rows.length, counts};
  }

  // evidence_map.ink_for: black or white, whichever contrasts more with the block (WCAG relative luminance).
  function ink(hex) {
    const channel = (i) => {
      const c = parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    };
    const luminance = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
    return (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) ? "black" : "white";
  }

  function blocks(x, y, cell, order, colour, label) {
    const shown = order.filter((d) => cell.counts[d] > 0);
    const width = (CELL_W - 2 * INSET - GAP * (shown.length - 1)) / Math.max(shown.length, 1);
    return shown.map((d, i) => {
      const left = x + INSET + i * (width + GAP);
      return htl.svg`<g class="explorer-map-block" data-direction=${d}>
        <rect x=${left} y=${y + BLOCK_TOP} width=${width} height=${BLOCK_H} fill=${colour(d)}><title>${label(d)}: ${cell.counts[d]}</title></rect>
        <text x=${left + width / 2} y=${y + BLOCK_TOP + BLOCK_H / 2} dy="0.35em" text-anchor="middle" fill=${ink(colour(d))}>${cell.counts[d]}</text>
      </g>`;
    });
  }

  function cellTitle(modality, domain, cell, order, label) {
    const parts = order.filter((d) => cell.counts[d] > 0).map((d) => `${label(d)} ${cell.counts[d]}`).join(", ");
    const studies = `${cell.studies} ${cell.studies === 1 ? "study" : "studies"}`;
    return `${modality} × ${domain}: ${studies}, ${cell.outcomes} outcomes; studies by direction: ${parts}`;
  }

  /* rows: the outcomes shown; modalities, domains: [code, words] in display order; order: direction codes;
     colour(code), label(code): a direction's colour and words. */
  function evidenceMap(rows, modalities, domains, order, colour, label) {
    const left = 12 + LABEL_CHAR * Math.max(...modalities.map(([, words]) => words.length));
    const bottom = Math.min(BOTTOM_MAX, 16 + 0.72 * LABEL_CHAR * Math.max(...domains.map(([, words]) => words.length)));
    const width = left + CELL_W * domains.length + 8, height = TOP + CELL_H * modalities.length + bottom;
    const grouped = d3.group(rows, (r) => r.modality, (r) => r.domain);
    const cells = [];
    modalities.forEach(([modality, modalityWords], i) => domains.forEach(([domain, domainWords], j) => {
      const part = grouped.get(modality) && grouped.get(modality).get(domain);
      if (!part) return;
      const cell = cellCounts(part, order);
      const x = left + j * CELL_W, y = TOP + i * CELL_H;
      cells.push(htl.svg`<g class="explorer-map-cell" data-modality=${modality} data-domain=${domain}
          data-studies=${cell.studies} data-outcomes=${cell.outcomes}
          data-directions=${order.map((d) => `${d}:${cell.counts[d]}`).join(",")}>
        <title>${cellTitle(modalityWords, domainWords, cell, order, label)}</title>
        <rect x=${x + 1} y=${y + 1} width=${CELL_W - 2} height=${CELL_H - 2} fill="#f8f9fa"
          stroke=${cell.counts.harmful ? colour("harmful") : "none"} stroke-width=${cell.counts.harmful ? 2 : 0}
          class=${cell.counts.harmful ? "explorer-map-harm" : null}></rect>
        <text x=${x + CELL_W / 2} y=${y + TOTAL_Y} dy="0.35em" text-anchor="middle" font-weight="600">${cell.studies}</text>
        ${blocks(x, y, cell, order, colour, label)}
      </g>`);
    }));
    const rowLabels = modalities.map(([, words], i) => htl.svg`<text x=${left - 6} y=${TOP + (i + 0.5) * CELL_H} dy="0.35em" text-anchor="end">${words}</text>`);
    const columnLabels = domains.map(([, words], j) => {
      const x = left + (j + 0.5) * CELL_W, y = TOP + modalities.length * CELL_H + 8;
      return htl.svg`<text transform=${`translate(${x},${y}) rotate(-40)`} text-anchor="end" dy="0.7em">${words}</text>`;
    });
    const grid = [];
    for (let i = 0; i <= modalities.length; i++) grid.push(htl.svg`<line x1=${left} x2=${left + CELL_W * domains.length} y1=${TOP + i * CELL_H} y2=${TOP + i * CELL_H}></line>`);
    for (let j = 0; j <= domains.length; j++) grid.push(htl.svg`<line x1=${left + j * CELL_W} x2=${left + j * CELL_W} y1=${TOP} y2=${TOP + modalities.length * CELL_H}></line>`);
    return htl.html`<svg class="explorer-map" role="img" width=${width} height=${height} viewBox=${`0 0 ${width} ${height}`}
        font-size=${FONT} font-family="system-ui, sans-serif" aria-label="Evidence map">
      <desc>Studies per exercise modality (rows) and outcome domain (columns) among the ${rows.length} matching outcomes, with how many of them show each direction.</desc>
      <g stroke="#d9d9d9" stroke-width="0.6">${grid}</g>
      ${cells}${rowLabels}${columnLabels}
    </svg>`;
  }

  window.alsEvidenceMap = {evidenceMap, cellCounts, directionsShown, ink};
})();
