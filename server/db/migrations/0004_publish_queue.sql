CREATE TABLE "publish_queue" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reason" text NOT NULL,
	"dataset_id" uuid,
	"done_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "publish_queue_pending_idx" ON "publish_queue" USING btree ("done_at");