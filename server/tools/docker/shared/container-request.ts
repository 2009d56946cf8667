import { z } from 'zod';
import { parseImageReference } from '../../../backends/docker/image-reference.js';
import type { ContainerRequest } from '../../../backends/docker/container-request.js';

/** Docker's own container-name rule; the 128-character cap is unraid-mcp's. */
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const NAME_RULE =
  'must start with a letter or digit and hold only letters, digits, "_", "." and "-" (Docker\'s rule)';

const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
/** Free text that ends up in the container and the Unraid template: tabs and newlines are fine, other control characters are not. */
const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !CONTROL.test(s), 'must not contain control characters');

const containerName = z.string().min(1).max(128).regex(CONTAINER_NAME, NAME_RULE);

/** An image reference, checked with Docker's grammar (see parseImageReference) so a bad one never reaches Docker. */
export const imageReferenceSchema = z
  .string()
  .min(1)
  .max(512)
  .superRefine((v, ctx) => {
    const parsed = parseImageReference(v);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
  });
const containerPath = z.string().min(1).max(4096).describe('Absolute path inside the container');
const hostPath = z.string().min(1).max(4096);
const envKey = z
  .string()
  .min(1)
  .max(256)
  .regex(
    /^[A-Za-z_][A-Za-z0-9_.-]*$/,
    'must be a variable name (letters, digits, "_", "." and "-", not starting with a digit)',
  );
const labelKey = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.\-/]*$/, 'must be a label key such as com.example.role');
const nsMode = (extra: string[] = []) => z.enum(['private', ...extra, 'host']);

/**
 * What docker_create takes: a structured container definition (no raw Docker API body), so every
 * option the create policy judges has exactly one way in. Names are snake_case like the other
 * arguments MCP clients send.
 */
export const containerRequestSchema = z
  .object({
    name: containerName.describe('Container name (letters, digits, "_", "." and "-"; at most 128)'),
    image: imageReferenceSchema.describe(
      'Image reference already on the server: [registry[:port]/]name[:tag][@sha256:digest]. Use docker_pull first if it is not.',
    ),
    command: z
      .array(text(8192))
      .max(256)
      .optional()
      .describe('Command and arguments (replaces the image CMD)'),
    entrypoint: z.array(text(8192)).max(64).optional().describe('Entrypoint (replaces the image ENTRYPOINT)'),
    env: z
      .union([z.array(text(32768)).max(500), z.record(envKey, text(32768))])
      .optional()
      .describe(
        'Environment: a list of "KEY=value" or a map {KEY: value}. Values of secret-looking keys are redacted in the audit log.',
      ),
    labels: z.record(labelKey, text(4096)).optional().describe('Container labels'),
    ports: z
      .array(
        z
          .object({
            container_port: z.number().int().min(1).max(65535),
            protocol: z.enum(['tcp', 'udp', 'sctp']).default('tcp'),
            host_port: z
              .number()
              .int()
              .min(1)
              .max(65535)
              .optional()
              .describe('Publish on this host port (needs confirmation); omit to only expose the port'),
            host_ip: z.string().max(45).optional().describe('Host address to publish on (default: all)'),
          })
          .strict(),
      )
      .max(100)
      .optional(),
    binds: z
      .array(
        z
          .object({
            host: hostPath.describe(
              'Host folder, inside the allowed folders (by default below /mnt/user/appdata/ or /mnt/user/<share>/)',
            ),
            container: containerPath,
            read_only: z.boolean().default(false),
          })
          .strict(),
      )
      .max(64)
      .optional()
      .describe('Host folders to mount'),
    volumes: z
      .array(
        z
          .object({
            name: z
              .string()
              .min(2)
              .max(255)
              .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/, 'must be a Docker volume name'),
            container: containerPath,
            read_only: z.boolean().default(false),
          })
          .strict(),
      )
      .max(64)
      .optional()
      .describe('Named Docker volumes to mount (created if missing)'),
    network: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .describe('Network name: bridge, none, or a user-defined network such as br0. "host" is refused.'),
    ip_address: z
      .string()
      .max(45)
      .optional()
      .describe('Fixed IP address on a user-defined network (such as br0)'),
    restart: z
      .enum(['no', 'always', 'unless-stopped', 'on-failure'])
      .optional()
      .describe('Restart policy (default: no; Unraid starts containers itself when autostart is on)'),
    restart_max_retries: z
      .number()
      .int()
      .min(0)
      .max(1000)
      .optional()
      .describe('Only with restart "on-failure"'),
    memory: z
      .union([z.number().int().positive(), z.string().max(32)])
      .optional()
      .describe('Memory limit: bytes, or a size such as "512m" or "2g". Default 1 GiB.'),
    cpus: z.number().min(0.01).max(1024).optional().describe('CPU limit in CPUs (1.5 = one and a half)'),
    pids_limit: z
      .number()
      .int()
      .min(1)
      .max(4_194_304)
      .optional()
      .describe('Most processes the container may run. Default 512.'),
    devices: z
      .array(
        z
          .object({
            host: hostPath.describe('Device under /dev on the server'),
            container: containerPath
              .optional()
              .describe('Path inside the container (default: the host path)'),
            permissions: z
              .string()
              .regex(/^(?!.*(.).*\1)[rwm]{1,3}$/, 'must be a combination of r, w and m')
              .default('rwm'),
          })
          .strict(),
      )
      .max(32)
      .optional()
      .describe('Host devices to pass in (needs confirmation)'),
    gpus: z
      .union([
        z.literal('all'),
        z
          .object({
            count: z.number().int().min(1).max(64).optional(),
            device_ids: z
              .array(
                z
                  .string()
                  .min(1)
                  .max(128)
                  .regex(/^[A-Za-z0-9_.:-]+$/),
              )
              .max(64)
              .optional(),
            driver: z
              .string()
              .min(1)
              .max(64)
              .regex(/^[a-z0-9_.-]+$/)
              .optional(),
          })
          .strict(),
      ])
      .optional()
      .describe('GPUs to pass in, like docker --gpus (needs confirmation)'),
    cap_add: z
      .array(z.string().min(1).max(64))
      .max(64)
      .optional()
      .describe("Capabilities to add; only Docker's default set is accepted"),
    cap_drop: z
      .array(z.string().min(1).max(64))
      .max(64)
      .optional()
      .describe('Capabilities to drop (ALL allowed)'),
    security_opt: z
      .array(z.string().min(1).max(4096))
      .max(16)
      .optional()
      .describe('Security options: no-new-privileges (always on unless set to false), apparmor=<profile>'),
    sysctls: z
      .record(
        z
          .string()
          .min(1)
          .max(256)
          .regex(
            /^[a-zA-Z0-9_]+(?:[./][a-zA-Z0-9_*-]+)+$/,
            'must be a sysctl key such as net.ipv4.ip_forward',
          ),
        text(1024),
      )
      .optional()
      .describe('Kernel settings in the container; anything but net.* needs confirmation'),
    privileged: z.boolean().optional().describe('Refused when true'),
    pid_mode: nsMode().optional(),
    ipc_mode: nsMode(['shareable', 'none']).optional(),
    uts_mode: nsMode().optional(),
    userns_mode: nsMode().optional(),
    cgroupns_mode: nsMode().optional(),
    volumes_from: z
      .array(
        z
          .string()
          .min(1)
          .max(140)
          .regex(
            /^[a-zA-Z0-9][a-zA-Z0-9_.-]*(?::(?:ro|rw))?$/,
            'must be a container name, optionally with :ro or :rw',
          ),
      )
      .max(16)
      .optional()
      .describe('Mount the volumes of these containers (needs confirmation)'),
    user: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9_.-]+(?::[A-Za-z0-9_.-]+)?$/, 'must be user[:group], by name or number')
      .optional()
      .describe('User to run as, e.g. "99:100" (nobody:users on Unraid)'),
    working_dir: containerPath.optional(),
    init: z
      .boolean()
      .default(true)
      .describe(
        'Run a small init process as PID 1 (default true). Set false for images whose own init must be PID 1, such as s6-overlay images (linuxserver.io).',
      ),
    start: z.boolean().default(true).describe('Start the container once created (default true)'),
  })
  .strict() satisfies z.ZodType<ContainerRequest>;
