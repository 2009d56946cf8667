import { z } from 'zod';

/** A port mapping, in docker_list and docker_inspect. */
export const portSchema = z.object({
  hostIp: z
    .string()
    .nullable()
    .describe(
      'Host address the port is published on ("0.0.0.0" = all IPv4, "::" = all IPv6); null when not published',
    ),
  hostPort: z
    .number()
    .int()
    .nullable()
    .describe('Port on the server; null when the container port is only exposed, not published'),
  containerPort: z.number().int(),
  protocol: z.string().describe('"tcp", "udp" or "sctp"'),
});

/** Labels Unraid's Docker manager sets; in docker_list and docker_inspect. */
export const unraidSchema = z
  .object({
    managed: z
      .string()
      .nullable()
      .describe(
        '"dockerman" when the container was created from an Unraid template (Docker tab → Add Container)',
      ),
    icon: z.string().nullable().describe('Icon URL shown in the Docker tab'),
    webui: z
      .string()
      .nullable()
      .describe(
        'WebUI link template, e.g. "http://[IP]:[PORT:8080]/" ([IP] is the server or container address, [PORT:n] the host port published for container port n)',
      ),
    shell: z.string().nullable().describe('Shell the Docker tab console opens'),
  })
  .nullable()
  .describe(
    'Unraid Docker manager labels (net.unraid.docker.*); null for containers not created by it (compose, CLI)',
  );
