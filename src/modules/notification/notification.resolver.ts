import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import type { Context } from "../../context.js";
import type { LiveEvent } from "../../realtime/event-log.js";
import { adopt } from "../../realtime/live.js";
import {
  MarkNotificationsReadInput,
  MarkNotificationsReadPayload,
  NotificationConnection,
  NotificationEvent,
  NotificationsArgs,
  type Notification,
} from "./notification.types.js";

@Resolver()
export class NotificationResolver {
  @Authorized("STAFF")
  @Query(() => NotificationConnection, { description: "Staff: the viewer's own notifications, newest first, with the unread count for the badge." })
  notifications(@Args(() => NotificationsArgs) args: NotificationsArgs, @Ctx() ctx: Context) {
    return ctx.services.notification.list(ctx.viewer, args);
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
