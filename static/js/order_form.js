/* The ordering page (templates/orders/form.html): line amounts, the total, the quota meter and the
 * first-order minimum, updated as the quantities are typed.
 *
 * Money is counted in whole fen with BigInt, never in floating point (docs/rules.md §2): the page hands
 * each unit price over as data-price-fen="120000" (¥1,200.00). The server recomputes everything
 * when the order is saved; this is only what the user sees while typing. Loaded from /static with
 * the page's CSP nonce: the portal allows no inline script.
 */
(function () {
  "use strict";

  var QUANTITY = /^\d{1,7}$/;

  function fen(text) {
    return text !== undefined && /^\d+$/.test(text) ? BigInt(text) : null;
  }

  function quantity(text) {
    var value = (text || "").trim();
    if (!QUANTITY.test(value)) {
      return null;
    }
    var units = BigInt(value);
    return units >= 1n ? units : null;
  }

  // ¥1,234.50, as the portal's money filter writes it in both languages.
  function money(amount) {
    var sign = amount < 0n ? "-" : "";
    var whole = amount < 0n ? -amount : amount;
    var yuan = (whole / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var cents = (whole % 100n).toString().padStart(2, "0");
    return sign + "¥" + yuan + "." + cents;
  }

  function setText(selector, text) {
    document.querySelectorAll(selector).forEach(function (element) {
      element.textContent = text;
    });
  }

  function update(form) {
    var total = 0n;
    form.querySelectorAll("input.order-quantity").forEach(function (input) {
      var row = input.closest("tr");
      var cell = row ? row.querySelector("[data-line-amount]") : null;
      var price = fen(input.dataset.priceFen);
      var units = quantity(input.value);
      var amount = price !== null && units !== null ? price * units : null;
      if (amount !== null) {
        total += amount;
      }
      if (cell) {
        cell.textContent = amount !== null ? money(amount) : (input.value.trim() ? "—" : "");
      }
    });
    setText("[data-order-total]", money(total));

    var quota = document.getElementById("quota");
    if (quota) {
      var ordered = fen(quota.dataset.orderedFen) || 0n;
      var limit = fen(quota.dataset.quotaFen) || 0n;
      var reached = ordered + total;
      setText("[data-with-order]", money(reached));
      if (limit > 0n) {
        setText("[data-quota-percent]", (reached * 100n / limit).toString());
      }
      var meter = document.getElementById("quota-meter");
      if (meter) {
        meter.value = Number(reached < limit ? reached : limit);
      }
    }

    var first = document.getElementById("first-order");
    if (first) {
      var minimum = fen(first.dataset.minimumFen) || 0n;
      var warning = first.querySelector("[data-below-minimum]");
      if (warning) {
        warning.classList.toggle("d-none", total >= minimum);
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () {
        if (select.value && select.form) {
          select.form.submit();
        }
      });
    });
    var form = document.getElementById("order-form");
    if (!form) {
      return;
    }
    form.addEventListener("input", function () {
      update(form);
    });
    update(form);
  });
})();
