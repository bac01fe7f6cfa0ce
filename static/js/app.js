// Confirmation before destructive actions: <form data-confirm="..."> asks before submitting, and so does a
// submit button with its own data-confirm (one form, several actions).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var button = event.submitter;
  var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
}, true);

// Unit tree: a second click on an expanded node folds it instead of loading its children again.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-tree-toggle]");
  if (!button) {
    return;
  }
  var slot = button.parentElement.querySelector(".tree-slot");
  var icon = button.querySelector("i");
  if (slot && slot.children.length) {
    event.stopPropagation();
    event.preventDefault();
    slot.replaceChildren();
    button.setAttribute("aria-expanded", "false");
    if (icon) { icon.className = "bi bi-plus-square"; }
  } else {
    button.setAttribute("aria-expanded", "true");
    if (icon) { icon.className = "bi bi-dash-square"; }
  }
}, true);
