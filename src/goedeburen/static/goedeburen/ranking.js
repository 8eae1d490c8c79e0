// Session choice, progressive enhancement only (the form works without this file): per
// round, the plain "1st choice, 2nd choice …" selects become one ordered list with buttons
// to add, move and remove sessions. The selects stay in the form, hidden, and carry the order.
(function () {
  "use strict";
  var form = document.querySelector("form[data-rank-add]");
  if (!form) return;
  var text = function (key, name) {
    return (form.getAttribute("data-rank-" + key) || "").replace("%s", name || "");
  };

  function button(label, aria, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "utrecht-button utrecht-button--secondary-action rank-button";
    b.textContent = label;
    b.setAttribute("aria-label", aria);
    b.addEventListener("click", onClick);
    return b;
  }

  function enhance(fieldset) {
    var selects = Array.prototype.slice.call(fieldset.querySelectorAll("select"));
    // A round that shows an error stays as it is, so the error stays next to its field.
    if (!selects.length || fieldset.querySelector(".reg-field--invalid")) return;
    var sessions = Array.prototype.filter
      .call(selects[0].options, function (o) { return o.value; })
      .map(function (o) { return { value: o.value, label: o.textContent }; });
    var byValue = {};
    sessions.forEach(function (s) { byValue[s.value] = s; });
    var order = selects.map(function (s) { return s.value; }).filter(Boolean);

    var chosenHeading = document.createElement("p");
    chosenHeading.className = "utrecht-paragraph rank-heading";
    chosenHeading.textContent = text("chosen");
    var chosen = document.createElement("ol");
    chosen.className = "rank-list";
    var othersHeading = document.createElement("p");
    othersHeading.className = "utrecht-paragraph rank-heading";
    othersHeading.textContent = text("others");
    var others = document.createElement("ul");
    others.className = "rank-list rank-list--others";
    var status = document.createElement("p");
    status.className = "rank-status";
    status.setAttribute("aria-live", "polite");

    function sync(message, focusValue, focusKey) {
      selects.forEach(function (select, i) { select.value = order[i] || ""; });
      chosen.textContent = "";
      others.textContent = "";
      order.forEach(function (value, i) {
        var name = byValue[value].label;
        var li = document.createElement("li");
        var label = document.createElement("span");
        label.className = "rank-label";
        label.textContent = name;
        li.appendChild(label);
        if (i > 0) li.appendChild(button("↑", text("up", name), function () { move(i, -1); }));
        if (i < order.length - 1) {
          li.appendChild(button("↓", text("down", name), function () { move(i, 1); }));
        }
        li.appendChild(button("✕", text("remove", name), function () { remove(i); }));
        li.setAttribute("data-value", value);
        chosen.appendChild(li);
      });
      if (!order.length) {
        var empty = document.createElement("li");
        empty.className = "rank-empty";
        empty.textContent = text("empty");
        chosen.appendChild(empty);
      }
      sessions.forEach(function (s) {
        if (order.indexOf(s.value) !== -1) return;
        var li = document.createElement("li");
        var label = document.createElement("span");
        label.className = "rank-label";
        label.textContent = s.label;
        li.appendChild(label);
        var add = button(text("add-short"), text("add", s.label), function () { append(s.value); });
        if (order.length >= selects.length) add.disabled = true;
        li.appendChild(add);
        li.setAttribute("data-value", s.value);
        others.appendChild(li);
      });
      status.textContent = message || "";
      if (focusValue) {
        var target = fieldset.querySelector('li[data-value="' + focusValue + '"] button[aria-label="' +
          text(focusKey, byValue[focusValue].label).replace(/"/g, '\\"') + '"]') ||
          fieldset.querySelector('li[data-value="' + focusValue + '"] button');
        if (target) target.focus();
      }
    }
    function move(i, step) {
      var value = order[i];
      order.splice(i, 1);
      order.splice(i + step, 0, value);
      sync(text("moved", byValue[value].label).replace("%d", i + step + 1), value, step < 0 ? "up" : "down");
    }
    function remove(i) {
      var value = order.splice(i, 1)[0];
      sync(text("removed", byValue[value].label), value, "add");
    }
    function append(value) {
      if (order.length >= selects.length) return;
      order.push(value);
      sync(text("added", byValue[value].label).replace("%d", order.length), value, "remove");
    }

    selects.forEach(function (select) {
      var field = select.closest(".reg-field");
      if (field) field.hidden = true;
    });
    var help = document.createElement("p");
    help.className = "utrecht-paragraph reg-help";
    help.textContent = text("help").replace("%d", selects.length);
    fieldset.appendChild(help);
    fieldset.appendChild(chosenHeading);
    fieldset.appendChild(chosen);
    fieldset.appendChild(othersHeading);
    fieldset.appendChild(others);
    fieldset.appendChild(status);
    sync();
  }

  Array.prototype.forEach.call(form.querySelectorAll("fieldset.rank-round"), enhance);
})();
