/**
 * GET /avatar/{username}, as Rocket.Chat serves it: the stored image with its hash as ETag (304
 * when unchanged), or an SVG of the initial for a user without one. Open to anyone unless
 * Accounts_AvatarBlockUnauthenticatedAccess is on; then signed-in callers only, and only users
 * they may see: any other name gets the same 404 as a name nobody has.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import { anyCaller, canSeeUser } from './any-caller.ts';
import { AVATAR_BLOCK } from './admin.ts';

const COLOURS = ['#1d74f5', '#f5455c', '#2de0a5', '#ffd21f', '#9ea2a8', '#6c727a', '#0a5ed7', '#ec0d2a'];

function initialSvg(name: string): string {
  const letter = ([...name.trim()][0] ?? '?').toUpperCase();
  const escaped = letter.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const colour = COLOURS[[...name].reduce((sum, c) => sum + c.codePointAt(0)!, 0) % COLOURS.length];
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="200" height="200"><rect width="100%" height="100%" fill="${colour}"/>` +
    `<text x="50%" y="50%" dy="0.35em" text-anchor="middle" font-family="sans-serif" font-size="120" fill="#fff">${escaped}</text></svg>`;
}

export function avatarRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const params = Type.Object({ username: Type.String({ minLength: 1, maxLength: 320 }) });
  app.get('/avatar/:username', { schema: { params, hide: true } }, async (request, reply) => {
    const { username } = request.params as { username: string };
    const user = await ctx.services.users.forAvatar(username);
    if (await ctx.services.settings.value(AVATAR_BLOCK) === true) {
      const who = await anyCaller(ctx, request);
      if (!user || !(await canSeeUser(ctx, who, user))) return reply.status(404).send({ success: false, error: 'User not found' });
    }
    reply.header('cache-control', 'private, no-cache');
    reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    // Open (Rocket.Chat's default): a name nobody has gets its initial too, with the same headers.
    if (!user) return reply.type('image/svg+xml').send(initialSvg(username));
    const image = await ctx.services.users.avatarImage(user);
    if (!image) return reply.type('image/svg+xml').send(initialSvg(user.displayName || user.username));
    const etag = `"${image.hash}"`;
    reply.header('etag', etag);
    if (request.headers['if-none-match']?.split(',').some((t) => t.trim() === etag)) return reply.status(304).send();
    return reply.type(image.contentType).send(Buffer.from(image.data));
  });
}
