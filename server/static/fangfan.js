// Fangfan web pages: the little script they need, from a file because the
// Content-Security-Policy allows no inline script (server/security_headers.py).

// A form with data-confirm="…" asks before it is sent (disabling a user, revoking a phone).
document.addEventListener("submit", (event) => {
  const question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
