// After django-otp-webauthn has stored a new passkey, go on to the account page, which
// offers the recovery codes. Nothing here is needed to sign in: a code works without it.
const setup = document.getElementById("passkey-setup");
if (setup) {
  document.addEventListener("otp_webauthn.register_complete", () => {
    window.location.assign(setup.dataset.doneUrl);
  });
}
