CREATE TABLE "mirror_state" (
	"dataset_id" uuid PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"remote_name" text NOT NULL,
	"remote_id" text,
	"pushed_version" integer,
	"pushed_hash" text,
	"status" text NOT NULL,
	"last_attempt_at" timestamp with time zone,
	"last_success_at" timestamp with time zone,
	"last_error" text,
	"attempts" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "version_links" (
	"version_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"name" text NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"url" text NOT NULL,
	"format" text DEFAULT '' NOT NULL,
	"media_type" text,
	"size" bigint,
	"hash" text,
	CONSTRAINT "version_links_version_id_position_pk" PRIMARY KEY("version_id","position")
);
--> statement-breakpoint
ALTER TABLE "version_links" ADD CONSTRAINT "version_links_version_id_dataset_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."dataset_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE TRIGGER version_links_immutable BEFORE UPDATE OR DELETE ON version_links
  FOR EACH ROW EXECUTE FUNCTION reject_version_change();
