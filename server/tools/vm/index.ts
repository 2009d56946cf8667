import type { AnyTool } from '../define-tool.js';
import { vmList } from './vm-list.js';
import { vmInspect } from './vm-inspect.js';
import { vmXml } from './vm-xml.js';
import { vmStart } from './vm-start.js';
import { vmStop } from './vm-stop.js';
import { vmForceStop } from './vm-force-stop.js';
import { vmRestart } from './vm-restart.js';
import { vmPause } from './vm-pause.js';
import { vmResume } from './vm-resume.js';
import { vmAutostart } from './vm-autostart.js';
import { createVmCreate } from './vm-create.js';
import { createVmDelete } from './vm-delete.js';
import { vmSnapshotList } from './vm-snapshot-list.js';
import { vmSnapshotCreate } from './vm-snapshot-create.js';
import { vmSnapshotRevert } from './vm-snapshot-revert.js';
import { vmSnapshotDelete } from './vm-snapshot-delete.js';
import { DEFAULT_VM_SHARES, type VmShares } from '../../config/vm-shares.js';

/**
 * The `vm` toolset, in the order clients list them. Where VM disks and ISOs live (and the default
 * bridge) come in from main.ts, as a function so tests can point them at temporary folders.
 */
export function createVmTools(shares: () => VmShares = () => DEFAULT_VM_SHARES): AnyTool[] {
  return [
    vmList,
    vmInspect,
    vmXml,
    vmStart,
    vmStop,
    vmForceStop,
    vmRestart,
    vmPause,
    vmResume,
    vmAutostart,
    createVmCreate(shares),
    createVmDelete(shares),
    vmSnapshotList,
    vmSnapshotCreate,
    vmSnapshotRevert,
    vmSnapshotDelete,
  ] as AnyTool[];
}
