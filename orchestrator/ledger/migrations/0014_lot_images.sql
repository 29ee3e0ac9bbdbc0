-- Lot images uploaded through the admin API (docs/media.md): each a thumbnail and a display size in the
-- media store under immutable keys, several per lot in the house's order, with alt text for the pages.

CREATE TABLE lot_images (
  id             TEXT PRIMARY KEY,
  lot_id         TEXT NOT NULL REFERENCES lots (id),
  position       INTEGER NOT NULL CHECK (position >= 0),
  alt            TEXT NOT NULL DEFAULT '',
  thumb_key      TEXT NOT NULL,
  thumb_width    INTEGER NOT NULL,
  thumb_height   INTEGER NOT NULL,
  display_key    TEXT NOT NULL,
  display_width  INTEGER NOT NULL,
  display_height INTEGER NOT NULL,
  -- What was uploaded: its name (shown to staff only), what sharp decoded it as, its size and SHA-256.
  original_name  TEXT NOT NULL,
  source_format  TEXT NOT NULL,
  source_bytes   INTEGER NOT NULL,
  source_sha256  TEXT NOT NULL,
  created_by     TEXT NOT NULL,
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX lot_images_lot ON lot_images (lot_id, position);
