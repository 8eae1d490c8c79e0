// Registration form, progressive enhancement only (the form works without this file):
// hide the billing details while no chosen ticket costs money.
(function () {
  "use strict";
  var form = document.querySelector("form[data-paid-tickets]");
  var billing = document.getElementById("billing");
  if (!form || !billing) return;
  var paid = form.getAttribute("data-paid-tickets").split(" ").filter(Boolean);

  function update() {
    var chosen = form.querySelectorAll('input[type="radio"][name$="-ticket_type"]:checked');
    var payable = Array.prototype.some.call(chosen, function (input) {
      return paid.indexOf(input.value) !== -1;
    });
    // Never hide fields that show an error.
    billing.hidden = !payable && !billing.querySelector(".reg-error");
  }

  form.addEventListener("change", update);
  update();
})();
