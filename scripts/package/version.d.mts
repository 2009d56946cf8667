export function sourceDateEpoch(): number;
export function versionFromEpoch(epoch: number): string;
export function treeIsDirty(): boolean;
