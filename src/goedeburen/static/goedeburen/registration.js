// Registration form, progressive enhancement only (the form works without this file):
// hide the billing details and the way to pay while no chosen ticket costs money, and the
// consent box of a registration for someone else until that is ticked.
(function () {
  "use strict";
  var form = document.querySelector("form[data-paid-tickets]");
  if (!form) return;
  var paid = form.getAttribute("data-paid-tickets").split(" ").filter(Boolean);
  var forPay = [document.getElementById("billing"), document.getElementById("payment")].filter(
    Boolean
  );
  var onBehalf = form.querySelector('input[name="booker-on_behalf"]');
  var consent = document.getElementById("on-behalf");

  function update() {
    var chosen = form.querySelectorAll('input[type="radio"][name$="-ticket_type"]:checked');
    var payable = Array.prototype.some.call(chosen, function (input) {
      return paid.indexOf(input.value) !== -1;
    });
    // Never hide fields that show an error.
    forPay.forEach(function (part) {
      part.hidden = !payable && !part.querySelector(".reg-error");
    });
    if (onBehalf && consent) {
      consent.hidden = !onBehalf.checked && !consent.querySelector(".reg-error");
    }
  }

  form.addEventListener("change", update);
  update();
})();

// One registration per click: a second press of a submit button while the first submission
// is on its way is ignored (the server recognises a repeated form as well, see the form token).
(function () {
  "use strict";
  var form = document.getElementById("registration-form");
  if (!form) return;
  var sending = false;
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    var action = button && button.name === "action" ? button.value : "";
    if (action !== "register" && action !== "waiting_list") return;
    if (sending) {
      event.preventDefault();
      return;
    }
    sending = true;
    if (button) button.setAttribute("aria-disabled", "true");
    // Back from the next page (the page restored from the browser's cache) may send again.
    window.addEventListener("pageshow", function () {
      sending = false;
      if (button) button.removeAttribute("aria-disabled");
    });
  });
})();
