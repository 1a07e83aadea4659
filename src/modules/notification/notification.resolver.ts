import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import type { Context } from "../../context.js";
import type { LiveEvent } from "../../realtime/event-log.js";
import { adopt } from "../../realtime/live.js";
import {
  MarkNotificationsReadInput,
  MarkNotificationsReadPayload,
  NotificationConnection,
  NotificationEvent,
  NotificationsArgs,
  Notification,
  NotificationSubject,
  type NotificationSubjectValue,
} from "./notification.types.js";

/**
 * How each kind of subject loads: through the viewer's loaders, so the subject is scoped like every read (null when
 * the viewer may no longer see it) and a page of notifications costs one query per kind, not one per notice.
 */
const SUBJECT_LOADERS: Record<string, (ctx: Context, id: string) => Promise<NotificationSubjectValue | null>> = {
  Document: (ctx, id) => ctx.loaders.document.load(id),
  Contract: (ctx, id) => ctx.loaders.contract.load(id),
  Claim: (ctx, id) => ctx.loaders.claim.load(id),
  Chat: (ctx, id) => ctx.loaders.chat.load(id),
};

@Resolver(() => Notification)
export class NotificationResolver {
  @Authorized("STAFF")
  @Query(() => NotificationConnection, { description: "Staff: the viewer's own notifications, newest first, with the unread count for the badge." })
  notifications(@Args(() => NotificationsArgs) args: NotificationsArgs, @Ctx() ctx: Context) {
    return ctx.services.notification.list(ctx.viewer, args);
  }

  @FieldResolver(() => NotificationSubject, {
    nullable: true,
    description:
      "What the notice is about, as the object itself (a Document, a Contract, a Claim or a Chat), in the same query: no `node(id)` round trip. Null when the notice is about nothing in particular, or the viewer may no longer see the object.",
  })
  async subject(@Root() notification: Notification, @Ctx() ctx: Context): Promise<NotificationSubjectValue | null> {
    const ref = notification.subjectRef;
    const load = ref ? SUBJECT_LOADERS[ref.type] : undefined;
    return ref && load ? load(ctx, ref.id) : null;
  }

  @Authorized("STAFF")
  @Mutation(() => MarkNotificationsReadPayload, {
    description:
      "Staff: marks one, several or all of the viewer's notifications read (a read one keeps its first read time), so none of them is emailed any more.",
  })
  markNotificationsRead(@Arg("input", () => MarkNotificationsReadInput) input: MarkNotificationsReadInput, @Ctx() ctx: Context) {
    return ctx.services.notification.markRead(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Subscription(() => NotificationEvent, {
    description:
      "Staff: the viewer's new notifications as they are made. With `after:` (the cursor of an earlier event) it first replays what was missed, without gaps or duplicates. Ends when the session ends.",
    subscribe: ({ args, context }) => (context as Context).services.notification.subscribe((context as Context).viewer, args.after as string | undefined),
  })
  notificationAdded(
    @Root() event: LiveEvent<Notification>,
    @Ctx() ctx: Context,
    @Arg("after", () => String, { nullable: true, description: "The cursor of the last event received; what came after it is sent first." }) _after?: string,
  ): NotificationEvent {
    return { cursor: event.cursor, notification: adopt(ctx, event) };
  }
}
