// The public preview of a client's website: the token is in the address's
// fragment (`preview.html#<token>`), which never reaches a server's log or
// another site's Referer; it is taken out of the address at once. The
// preview shows under a banner in the company's name, or the page says
// clearly that the preview has ended.

import { api, ApiError } from "./api.js";
import { $ } from "./page.js";

const token = location.hash.slice(1);
if (token) history.replaceState(null, "", location.pathname);

function ended(text) {
  document.title = "This preview has ended";
  $("preview-heading").textContent = "This preview has ended";
  $("preview-heading").classList.remove("visually-hidden");
  $("preview-message").textContent = text;
}

async function show() {
  if (!token) return ended("This link is not complete. Ask us for a new one.");
  try {
    const preview = await api(`/api/previews/${encodeURIComponent(token)}`);
    const title = `Preview of the website we are building for ${preview.business_name}`;
    document.title = title;
    $("preview-title").textContent = title;
    $("preview-by").textContent = `, by ${preview.company}.`;
    $("preview-heading").textContent = title;
    $("preview-banner").hidden = false;
    $("preview-message").hidden = true;
    const frame = $("preview-frame");
    frame.title = title;
    frame.src = preview.preview_url;
    frame.hidden = false;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 429) return ended(`Too many tries: wait ${error.retryAfter ?? "a few"} seconds and reload.`);
    ended("The link has expired or the preview is over. Ask us for a new link if you need one.");
  }
}

show();
