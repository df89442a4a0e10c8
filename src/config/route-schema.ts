import { z } from 'zod';
import { matcherList } from './schema-parts';
import { escalationSchema, type EscalationConfig } from './interactive-schema';
import type { Matcher } from '../routing/matchers';

/** RouteConfig is one node of the routing tree (SPEC §4 `route`), after parsing. */
export interface RouteConfig {
  receiver?: string;
  receivers?: string[];
  matchers: Matcher[];
  continue: boolean;
  send_resolved?: boolean;
  template?: string;
  /** Escalation of unacknowledged interactive cards (issue 19); not inherited by child routes. */
  escalation?: EscalationConfig;
  routes: RouteConfig[];
}

interface RouteInput {
  receiver?: string;
  receivers?: string[];
  matchers?: string[];
  continue?: boolean;
  send_resolved?: boolean;
  template?: string;
  escalation?: z.input<typeof escalationSchema>;
  routes?: RouteInput[];
}

const templateName = z.string().regex(/^[A-Za-z0-9_.\-]+$/, 'a template base name such as "dba" (file dba.md.hbs), no path');

/** routeSchema: a route node with ordered child routes (recursive, as in Alertmanager). */
export const routeSchema: z.ZodType<RouteConfig, RouteInput> = z.lazy(() =>
  z
    .strictObject({
      receiver: z.string().min(1).optional(),
      receivers: z.array(z.string().min(1)).min(1).optional(),
      matchers: matcherList.default([]),
      continue: z.boolean().default(false),
      send_resolved: z.boolean().optional(),
      template: templateName.optional(),
      escalation: escalationSchema.optional(),
      routes: z.array(routeSchema).default([]),
    })
    .superRefine((route, ctx) => {
      if (route.receiver && route.receivers) {
        ctx.addIssue({ code: 'custom', path: ['receivers'], message: 'set either receiver or receivers, not both' });
      }
    }),
);
