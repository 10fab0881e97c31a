// Draws the plotly figures whose JSON the page carries in <script type="application/json"> blocks:
// <div data-chart="ID"> is replaced by the figure of the block with that id. The CSP allows no
// inline script and no inline style, so this file does the drawing and plotly.css (linked with
// class "no-inline-styles") carries plotly's own rules. Without plotly.js the text stays.
"use strict";
(function () {
  if (typeof window.Plotly === "undefined") {
    return;
  }
  document.querySelectorAll("[data-chart]").forEach((element) => {
    const source = document.getElementById(element.dataset.chart);
    if (!source) {
      return;
    }
    let figure;
    try {
      figure = JSON.parse(source.textContent);
    } catch (error) {
      return;
    }
    element.replaceChildren();
    window.Plotly.newPlot(element, figure.data || [], figure.layout || {}, {
      displayModeBar: false,
      responsive: true,
    });
  });
})();
