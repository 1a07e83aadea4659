import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import type { Context } from "../../context.js";
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
  @Query(() => NotificationConnection, { description: "Rule H1: the viewer's notifications, newest first, with the unread count." })
  notifications(@Args(() => NotificationsArgs) args: NotificationsArgs, @Ctx() ctx: Context) {
    return ctx.services.notification.list(ctx.viewer, args);
  }

  @Authorized("STAFF")
  @Mutation(() => MarkNotificationsReadPayload, { description: "Rule H1: mark one, several or all notifications read." })
  markNotificationsRead(@Arg("input", () => MarkNotificationsReadInput) input: MarkNotificationsReadInput, @Ctx() ctx: Context) {
    return ctx.services.notification.markRead(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Subscription(() => NotificationEvent, {
    description: "Rule H1: the viewer's new notifications. With `after:` (a cursor of an earlier event) it first replays what was missed.",
    subscribe: ({ args, context }) => (context as Context).services.notification.subscribe((context as Context).viewer, args.after as string | undefined),
  })
  notificationAdded(@Root() event: { cursor: string; value: Notification }, @Arg("after", () => String, { nullable: true }) _after?: string): NotificationEvent {
    return { cursor: event.cursor, notification: event.value };
  }
}
