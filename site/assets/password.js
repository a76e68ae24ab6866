// Strong passwords made in the browser, from its CSPRNG.

/// 20 characters from an alphabet without look-alikes.
export function generatePassword() {
  const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789-_!";
  const bytes = crypto.getRandomValues(new Uint32Array(20));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

/// Wires a "Generate" button to fill `input` and show it, with `hint` saying to keep it.
export function offerGenerator(button, input, hint) {
  button.addEventListener("click", () => {
    input.value = generatePassword();
    input.type = "text";
    hint.hidden = false;
    hint.textContent = "Keep this password somewhere safe, such as a password manager.";
  });
}
