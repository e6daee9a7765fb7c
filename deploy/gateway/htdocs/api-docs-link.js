// The page is the same for every domain: it links to the API host of the one it is served
// from (keyforge.<domain> serves this page, api.keyforge.<domain> the API).
const place = document.getElementById("api-docs");
if (place) {
  const link = document.createElement("a");
  link.href = `https://api.${window.location.host}/docs`;
  link.textContent = link.href;
  place.replaceChildren(link);
}
