export function changesFor(version: string, changelog?: string): string;
export function renderTemplate(template: string, values: Record<string, unknown>): string;
export function renderCaTemplate(xml: string, pluginUrl: string): string;
