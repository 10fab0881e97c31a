/* The distributor picker (templates/macros/picker.html): as the user types a code or a name, ask
 * the portal for at most ten matching distributors in the user's scope (distributors.choices) and
 * offer them in the box's <datalist> as "CODE name"; choosing one fills the hidden id, changing or
 * clearing the text empties it (the server then reads the code typed, as it does without
 * JavaScript). Loaded from /static with the page's CSP nonce: the portal allows no inline script.
 */
(function () {
  "use strict";

  var DELAY_MS = 200;

  function setUp(picker) {
    if (picker.dataset.ready) {
      return;
    }
    picker.dataset.ready = "1";
    var box = picker.querySelector("[data-picker-text]");
    var hidden = picker.querySelector("[data-picker-id]");
    var list = picker.querySelector("datalist");
    var source = picker.dataset.source;
    if (!box || !hidden || !list || !source) {
      return;
    }
    var timer = null;
    var asked = 0; // the latest request's number: an older answer arriving late is dropped

    function chosen(text) {
      var options = list.querySelectorAll("option");
      for (var i = 0; i < options.length; i += 1) {
        if (options[i].value === text) {
          return options[i];
        }
      }
      return null;
    }

    function fill(items) {
      var options = document.createDocumentFragment();
      items.forEach(function (item) {
        var option = document.createElement("option");
        option.value = item.label;
        option.dataset.id = String(item.id);
        options.appendChild(option);
      });
      list.replaceChildren(options);
    }

    function ask(text) {
      var number = ++asked;
      var url = new URL(source, window.location.href);
      url.searchParams.set("q", text);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : { items: [] };
        })
        .then(function (data) {
          if (number === asked) {
            fill(data.items || []);
          }
        })
        .catch(function () {
          /* No suggestions this time; the code typed still works when the form is sent. */
        });
    }

    box.addEventListener("input", function () {
      var text = box.value.trim();
      var option = chosen(box.value);
      window.clearTimeout(timer);
      if (option) {
        hidden.value = option.dataset.id;
        return;
      }
      hidden.value = "";
      if (text.length >= 1) {
        timer = window.setTimeout(function () {
          ask(text);
        }, DELAY_MS);
      } else {
        asked += 1;
        list.replaceChildren();
      }
    });
  }

  document.querySelectorAll("[data-distributor-picker]").forEach(setUp);
})();
