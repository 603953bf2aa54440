/**
 * Security headers for every page the portal serves, public or workspace. The pages carry no inline
 * script (the schema.org block is `application/ld+json`, data that CSP does not run) and no inline
 * style, so scripts and styles come from this host only. `frameAncestors` is the province's choice
 * of who may frame the portal ('none' by default: FRAME_ANCESTORS).
 */
export function contentSecurityPolicy(frameAncestors = "'none'"): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');
}

export function securityHeaders(opts: { frameAncestors?: string } = {}): Record<string, string> {
  const frameAncestors = opts.frameAncestors ?? "'none'";
  const headers: Record<string, string> = {
    'content-security-policy': contentSecurityPolicy(frameAncestors),
    'referrer-policy': 'strict-origin-when-cross-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
    'x-content-type-options': 'nosniff',
    'cross-origin-opener-policy': 'same-origin',
  };
  // the older header for browsers without frame-ancestors, when nobody may frame the portal
  if (frameAncestors === "'none'") headers['x-frame-options'] = 'DENY';
  return headers;
}
