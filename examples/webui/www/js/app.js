// Talks to the device's HTTP server: GET /api/status, POST /api/wifi.
const status = document.getElementById("status");

async function refresh() {
  const r = await fetch("/api/status");
  const s = await r.json();
  status.textContent = `Firmware ${s.version}, connected to ${s.ssid || "nothing"}`;
}

document.getElementById("wifi").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const body = new URLSearchParams(new FormData(ev.target));
  await fetch("/api/wifi", { method: "POST", body });
  refresh();
});

refresh();
