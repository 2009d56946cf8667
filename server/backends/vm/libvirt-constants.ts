/**
 * libvirt's stable C API values the VM tools use. Written out here rather than imported from the
 * binding so that loading the tool registry does not load the binding: an idle sidecar (or one on a
 * server without VMs) never pays for it.
 */
export const DOMAIN_STATE = {
  NOSTATE: 0,
  RUNNING: 1,
  BLOCKED: 2,
  PAUSED: 3,
  SHUTDOWN: 4,
  SHUTOFF: 5,
  CRASHED: 6,
  PMSUSPENDED: 7,
} as const;
export const LIST_ALL = { ACTIVE: 1, INACTIVE: 2, AUTOSTART: 1024, HAS_SNAPSHOT: 4096 } as const;
/** VIR_DOMAIN_XML_SECURE: include graphics passwords, so vm_inspect can say one is set (then redact it). */
export const XML_SECURE = 1;
/** VIR_DOMAIN_XML_INACTIVE: the stored definition rather than the live one. */
export const XML_INACTIVE = 2;
