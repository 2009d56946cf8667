import { z } from 'zod';
import type { ConfirmMode, Scope, TargetRef, Toolset } from '../vocabulary.js';
import type { ToolContext } from './context.js';

/** MCP tool annotations. All four are required so no tool ships with a client guessing its effects. */
export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/**
 * Marker that the wrapper adds to a result it had to shorten to fit the response cap. Every tool's
 * output schema carries it (optional) so a shortened result still validates against the schema.
 */
export const truncationSchema = z
  .object({
    path: z.string().describe('Dotted path of the list that was shortened'),
    kept: z.number().int(),
    total: z.number().int(),
    hint: z.string(),
  })
  .describe('Present only when the response was shortened to fit the size cap');

export type ToolInputSchema = z.ZodObject<z.ZodRawShape, z.core.$strict>;
export type ToolOutputSchema = z.ZodObject<z.ZodRawShape>;

export interface ToolSpec<I extends ToolInputSchema, O extends ToolOutputSchema> {
  /** snake_case, prefixed by toolset; names of the Go original are kept so existing prompts work. */
  name: string;
  title: string;
  description: string;
  toolset: Toolset;
  /** Least scope a token needs. Reads are `read`; start/stop are `operate`; destructive or create `admin`. */
  scope: Scope;
  annotations: ToolAnnotations;
  input: I;
  output: O;
  /** Longer limit than the settings' tool timeout, for tools that legitimately run long (image pulls). */
  timeoutMs?: number;
  /** Default confirmation mode (the owner can change it per tool). Required for every writing tool. */
  confirm?: ConfirmMode;
  /** True for stop, restart, pause, update and remove: refused on protected containers and VMs. */
  refusesProtected?: boolean;
  /**
   * Says exactly what the call will do, for confirmation prompts. Defaults to title + target + arguments.
   * May look things up (vm_delete lists the disk images it would delete) but must not change anything.
   */
  describe?(
    args: z.infer<I>,
    target: { kind: string; name: string; id: string } | null,
    ctx: ToolContext,
  ): string | Promise<string>;
  /**
   * Checks that need no confirmation to fail: run by the wrapper after the target checks and before any
   * confirmation, so the owner is never asked to approve a call that would be refused anyway. Throws
   * (PolicyDeniedError, InvalidInputError…) to refuse; must not change anything.
   */
  preflight?(args: z.infer<I>, ctx: ToolContext): Promise<void>;
  /** Declares what the call acts on; absent for host-wide reads. */
  // Method syntax on purpose: it lets a tool with specific schemas sit in the AnyTool registry.
  target?(args: z.infer<I>): TargetRef;
  run(args: z.infer<I>, ctx: ToolContext): Promise<z.infer<O>>;
}

/**
 * Arguments every writing tool accepts (names kept from the Go original): the token a `token`-mode
 * confirmation returned, or the id of a pending `approve`-mode confirmation. The wrapper consumes
 * them; tools never see them.
 */
export const confirmationArgs = {
  confirmation_token: z
    .string()
    .max(100)
    .optional()
    .describe('Single-use token returned by a first call that needed confirmation'),
  confirmation_id: z
    .string()
    .max(100)
    .optional()
    .describe('Id of a pending approval returned by an earlier call, to complete it once approved'),
};

/** A tool as the registry holds it: the spec with the truncation marker folded into its output. */
export interface Tool<
  I extends ToolInputSchema = ToolInputSchema,
  O extends ToolOutputSchema = ToolOutputSchema,
> extends ToolSpec<I, O> {
  /** What clients see and the wrapper validates: `input`, plus the confirmation arguments for writing tools. */
  inputWithConfirmation: ToolInputSchema;
  outputWithTruncation: z.ZodObject<z.ZodRawShape>;
}

/** Declares one tool. The type makes annotations, scope and both schemas mandatory. */
export function defineTool<I extends ToolInputSchema, O extends ToolOutputSchema>(
  spec: ToolSpec<I, O>,
): Tool<I, O> {
  return {
    ...spec,
    inputWithConfirmation: spec.annotations.readOnlyHint ? spec.input : spec.input.extend(confirmationArgs),
    outputWithTruncation: spec.output.extend({ truncated: truncationSchema.optional() }),
  };
}

/** The registry's element type: tools with their argument types widened. */
export type AnyTool = Tool<ToolInputSchema, ToolOutputSchema>;
