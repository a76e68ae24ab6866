// What the hosting panel last said of a service (`panel_state`, read daily):
// its use against the plan's limits, for its owner and for staff.

/// 512 → "512 MB"; 15360 → "15 GB".
function size(mb) {
  if (mb < 1024) return `${mb} MB`;
  const gb = mb / 1024;
  return `${Number.isInteger(gb) ? gb : gb.toFixed(1)} GB`;
}

/// "2 GB of 10 GB", or "2 GB (no limit)"; over the limit says so.
function against(used, limit) {
  if (limit == null) return `${size(used)} (no limit)`;
  return `${size(used)} of ${size(limit)}${used > limit ? " — over the limit" : ""}`;
}

/// Whether the panel's team suspended a service that is active here.
export const suspendedOnPanel = (service) => Boolean(service.panel_state?.suspended) && service.status === "active" && !service.ended_at;

/// The rows of a service's use, once the panel has been read.
export function usageRows(service) {
  const p = service.panel_state;
  if (!p) return [];
  return [
    ["Disk used", against(p.disk_used_mb, p.disk_limit_mb)],
    ["Bandwidth this month", against(p.bandwidth_used_mb, p.bandwidth_limit_mb)],
  ];
}
