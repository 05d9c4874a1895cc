/* Questionnaire pages, with htmx: when an answer cannot be saved (no connection, a
   server error) say so next to the question and offer to try again. Without JavaScript
   the form posts on "Continue" and none of this is needed. */
(function () {
  "use strict";

  function showFailed(event) {
    var item = event.detail && event.detail.elt && event.detail.elt.closest(".q");
    var failed = document.getElementById("save-failed");
    if (!item || !failed) return;
    var status = item.querySelector(".save-status");
    if (status) status.replaceChildren(failed.content.cloneNode(true));
  }

  document.addEventListener("htmx:sendError", showFailed);
  document.addEventListener("htmx:responseError", showFailed);

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.retry");
    var item = button && button.closest(".q");
    if (!item || !window.htmx) return;
    // The button is about to be replaced: keep the keyboard where the answer is.
    var answer = item.querySelector("input:checked, textarea, input.input-number") ||
      item.querySelector("input[type=radio], input[type=checkbox]");
    if (answer) answer.focus();
    window.htmx.trigger(item, "change");
  });
})();
