// A button with data-copy="<id of an input>" copies that input's value and says so.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-copy]");
  if (!button) return;
  var field = document.getElementById(button.getAttribute("data-copy"));
  var status = document.getElementById(button.getAttribute("data-copy") + "-status");
  if (!field) return;
  field.select();
  var done = function () { if (status) status.textContent = "Link copied."; };
  if (navigator.clipboard) {
    navigator.clipboard.writeText(field.value).then(done, function () {
      if (status) status.textContent = "Select the link and copy it with your keyboard.";
    });
  } else {
    done();
  }
});
