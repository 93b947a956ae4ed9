// "Copy the link" buttons: copy the text of the input named by data-copy, say so next to the
// button. Without JavaScript (or clipboard access) the link stays selectable in its input.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) return;
  var input = document.getElementById(button.getAttribute("data-copy"));
  var said = document.getElementById(button.getAttribute("data-copy") + "-copied");
  input.select();
  var done = function () { if (said) said.textContent = "Copied."; };
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(input.value).then(done, function () {
      if (said) said.textContent = "Select the link and copy it.";
    });
  } else {
    done();
  }
});
