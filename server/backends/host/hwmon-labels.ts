/**
 * Readable names for hwmon chips. Driver names ("coretemp", "nct6798", "k10temp") mean little to a
 * person asking "how hot is my CPU?"; the label says what the sensor sits on and keeps the driver name
 * in parentheses so nothing is lost.
 */

/** Chips whose hwmon name says nothing about the device; the device model is appended to them. */
export const GENERIC_CHIPS: ReadonlySet<string> = new Set(['nvme', 'drivetemp']);

const EXACT: Record<string, string> = {
  coretemp: 'CPU (coretemp)',
  k10temp: 'CPU (k10temp)',
  k8temp: 'CPU (k8temp)',
  zenpower: 'CPU (zenpower)',
  fam15h_power: 'CPU power (fam15h_power)',
  via_cputemp: 'CPU (via_cputemp)',
  cpu_thermal: 'CPU (cpu_thermal)',
  acpitz: 'ACPI thermal zone',
  nvme: 'NVMe',
  drivetemp: 'Drive',
  amdgpu: 'GPU (amdgpu)',
  radeon: 'GPU (radeon)',
  nouveau: 'GPU (nouveau)',
  i915: 'GPU (i915)',
  jc42: 'Memory (jc42)',
  spd5118: 'Memory (spd5118)',
  ee1004: 'Memory (ee1004)',
};

const PREFIXES: Array<[RegExp, string]> = [
  [
    /^(nct\d+|it\d+|w83\w+|f71\w+|asus\w*|asus-ec-sensors|dell_smm|thinkpad|gigabyte_wmi|asus_wmi_sensors)$/,
    'Motherboard',
  ],
  [/^pch_/, 'Chipset'],
  [/^(r8169|igb|ixgbe|i40e|ice|bnxt_en|mlx\w+|atlantic|tg3)/, 'Network adapter'],
  [/^iwlwifi/, 'Wi-Fi'],
  [/^(nvidia|gpu)/, 'GPU'],
];

/** `chip` = hwmon `name`; `model` = device/model or device/name for generic chips (trimmed). */
export function chipLabel(chip: string, model: string | null): string {
  const base = EXACT[chip] ?? labelFromPrefix(chip) ?? chip;
  return GENERIC_CHIPS.has(chip) && model ? `${base} (${model})` : base;
}

function labelFromPrefix(chip: string): string | null {
  for (const [re, kind] of PREFIXES) if (re.test(chip)) return `${kind} (${chip})`;
  return null;
}
