// Ends the session at ID-porten as well, without the extra click the page offers without
// JavaScript.
const form = document.getElementById("end-provider-session");
if (form) {
  form.submit();
}
