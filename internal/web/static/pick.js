// onepool pickers: <input data-pick="KIND"> becomes a search-as-you-type
// box over GET /api/v1/pick/{county}/{KIND}; choosing an option writes its
// value (the code) into the field and shows its label beside it. Without
// this script the field is a plain text input taking the code.
// data-pick-household="FIELD" scopes a member picker to the household
// typed or chosen in the form's FIELD.
(function () {
  "use strict";
  var county = document.body ? document.body.getAttribute("data-county") : "";
  if (!county || !window.fetch) { return; }

  function setup(input) {
    var kind = input.getAttribute("data-pick");
    var wrap = document.createElement("span");
    wrap.className = "pick";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    var list = document.createElement("ul");
    list.className = "pick-list";
    list.setAttribute("role", "listbox");
    list.id = "pick-" + Math.random().toString(36).slice(2);
    list.hidden = true;
    wrap.appendChild(list);
    var shown = document.createElement("span");
    shown.className = "pick-chosen";
    shown.setAttribute("aria-live", "polite");
    wrap.appendChild(shown);
    input.setAttribute("autocomplete", "off");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");

    var timer = 0, seq = 0, options = [], active = -1;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      active = -1;
    }
    function mark(i) {
      var items = list.children;
      for (var k = 0; k < items.length; k++) {
        items[k].setAttribute("aria-selected", k === i ? "true" : "false");
      }
      active = i;
    }
    function choose(i) {
      var o = options[i];
      if (!o) { return; }
      input.value = o.value;
      shown.textContent = o.label;
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function render() {
      list.textContent = "";
      options.forEach(function (o, i) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.setAttribute("data-value", o.value);
        li.textContent = o.label;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      list.hidden = options.length === 0;
      input.setAttribute("aria-expanded", options.length ? "true" : "false");
      active = -1;
    }
    function search() {
      var url = "/api/v1/pick/" + encodeURIComponent(county) + "/" + encodeURIComponent(kind) +
        "?limit=20&q=" + encodeURIComponent(input.value.trim().slice(0, 64));
      var scope = input.getAttribute("data-pick-household");
      if (scope && input.form && input.form.elements[scope]) {
        url += "&household=" + encodeURIComponent(input.form.elements[scope].value.trim());
      }
      var mine = ++seq;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (data) {
          if (mine !== seq) { return; }
          options = Array.isArray(data) ? data : [];
          render();
        })
        .catch(function () { options = []; render(); });
    }
    function later() {
      clearTimeout(timer);
      timer = setTimeout(search, 150);
    }
    input.addEventListener("input", function () { shown.textContent = ""; later(); });
    input.addEventListener("focus", later);
    input.addEventListener("blur", function () { setTimeout(close, 100); });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) { return; }
      if (e.key === "ArrowDown") { e.preventDefault(); mark(Math.min(active + 1, options.length - 1)); }
      else if (e.key === "ArrowUp") { e.preventDefault(); mark(Math.max(active - 1, 0)); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(active); }
      else if (e.key === "Escape") { close(); }
    });
  }

  function init() {
    var inputs = document.querySelectorAll("input[data-pick]");
    for (var i = 0; i < inputs.length; i++) { setup(inputs[i]); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
