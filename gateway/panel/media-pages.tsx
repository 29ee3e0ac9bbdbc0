/** @jsxImportSource hono/jsx */
/**
 * A lot's images on its panel page (docs/media.md): thumbnails in order with their alt text, an
 * upload form (several files, multipart), move up/down, alt text edit and delete — each a plain form
 * with the CSRF token that the panel forwards to the admin API.
 */
import type { FC } from 'hono/jsx';
import type { Json } from './admin-client.ts';
import { Field, FieldError, Notice, PostForm } from './layout.tsx';

const s = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const n = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

export const ImagesSection: FC<{
  lotId: string;
  images: Json[] | undefined;
  csrf: string;
  /** The upload's refusal (the API's message names the file). */
  uploadError?: string | undefined;
  /** Refusals of one image's action, by image id. */
  imageErrors?: Partial<Record<string, string>>;
}> = (p) => {
  const lot = encodeURIComponent(p.lotId);
  const images = p.images ?? [];
  return (
    <section aria-labelledby="images-h">
      <h2 id="images-h">Images</h2>
      {p.images === undefined ? (
        <Notice kind="error" text="The lot's images could not be read." />
      ) : images.length === 0 ? (
        <p>No images yet: the catalogue shows the first one.</p>
      ) : (
        <ol class="images">
          {images.map((img, i) => {
            const id = s(img.id);
            const base = `/admin/lots/${lot}/images/${encodeURIComponent(id)}`;
            const thumb = (img.thumb ?? {}) as Json;
            const error = p.imageErrors?.[id];
            return (
              <li class="image card" id={`image-${id}`}>
                <img
                  src={s(thumb.url)}
                  width={n(thumb.width)}
                  height={n(thumb.height)}
                  alt={s(img.alt)}
                  loading="lazy"
                />
                <p class="hint">
                  {i === 0 ? 'First: the catalogue picture. ' : ''}
                  {s(img.originalName)}
                </p>
                <PostForm
                  action={`${base}/alt`}
                  csrf={p.csrf}
                  class="inline"
                  label={`Alt text of image ${i + 1}`}
                >
                  <Field
                    name="alt"
                    id={`alt-${id}`}
                    label={`Alt text of image ${i + 1}`}
                    value={s(img.alt)}
                    error={error}
                  />
                  <button type="submit" class="small">
                    Save alt text
                  </button>
                </PostForm>
                <div class="buttons">
                  {i === 0 ? null : (
                    <PostForm action={`${base}/move`} csrf={p.csrf} label={`Move image ${i + 1} up`}>
                      <input type="hidden" name="direction" value="up" />
                      <button type="submit" class="small">
                        Move up
                      </button>
                    </PostForm>
                  )}
                  {i === images.length - 1 ? null : (
                    <PostForm action={`${base}/move`} csrf={p.csrf} label={`Move image ${i + 1} down`}>
                      <input type="hidden" name="direction" value="down" />
                      <button type="submit" class="small">
                        Move down
                      </button>
                    </PostForm>
                  )}
                  <PostForm action={`${base}/delete`} csrf={p.csrf} label={`Delete image ${i + 1}`}>
                    <button type="submit" class="small danger">
                      Delete
                    </button>
                  </PostForm>
                </div>
              </li>
            );
          })}
        </ol>
      )}
      <form
        method="post"
        action={`/admin/lots/${lot}/images`}
        enctype="multipart/form-data"
        class="card form"
        aria-label="Upload images"
      >
        <input type="hidden" name="csrf" value={p.csrf} />
        <div class={p.uploadError === undefined ? 'field wide' : 'field wide invalid'}>
          <label for="f-images">Image files</label>
          <small id="f-images-hint" class="hint">
            JPEG, PNG, WebP, AVIF, TIFF or GIF; several at once. Each is resized to a thumbnail and a display
            size.
          </small>
          <input
            id="f-images"
            name="file"
            type="file"
            accept="image/*"
            multiple
            required
            aria-invalid={p.uploadError === undefined ? undefined : 'true'}
            aria-describedby={p.uploadError === undefined ? 'f-images-hint' : 'f-images-hint f-images-error'}
          />
          <FieldError id="f-images-error" error={p.uploadError} />
        </div>
        <Field
          name="alt"
          id="f-images-alt"
          label="Alt text (optional, for every file of this upload)"
          hint="What the picture shows, for people who cannot see it."
        />
        <button type="submit" class="primary">
          Upload
        </button>
      </form>
    </section>
  );
};
