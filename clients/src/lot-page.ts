/**
 * The bidder's lot page beyond the live price (docs/bidders.md): a gallery of the lot's images
 * (thumbnails that switch the display image; arrow keys and a swipe step through them), the full
 * description, the condition report, and the premium and terms line. Rendered into bid.html's
 * elements; view.ts puts the first image in #lot-image once per lot, and the gallery takes over.
 */
import type { CatalogueImage, CatalogueLot, SaleCatalogue } from '../../common/contracts/index.ts';
import { byId, h, setText } from './dom.ts';
import { premiumText } from './premium.ts';
import { t } from './i18n/page.ts';

/** The gallery's lot and shown image, kept across the renders the live feed causes. */
let shownLot: string | undefined;
let shownIndex = 0;
let wired = false;

function showImage(images: readonly CatalogueImage[], index: number, focus = false): void {
  const img = images[index];
  if (img === undefined) return;
  shownIndex = index;
  const main = byId<HTMLImageElement>('lot-image');
  main.srcset = `${img.thumb.url} ${img.thumb.width}w, ${img.display.url} ${img.display.width}w`;
  main.sizes = '(max-width: 600px) 100vw, 560px';
  main.src = img.display.url;
  main.alt = img.alt;
  const buttons = byId('lot-thumbs').querySelectorAll<HTMLButtonElement>('button');
  buttons.forEach((b, i) => {
    b.setAttribute('aria-pressed', String(i === index));
    b.tabIndex = i === index ? 0 : -1;
    if (focus && i === index) b.focus();
  });
  setText(
    byId('lot-image-count'),
    images.length > 1 ? t('lot.imageOf', { n: index + 1, count: images.length }) : '',
  );
}

/** Arrow keys on the thumbnails and a horizontal swipe on the picture step through the images. */
function wire(current: () => readonly CatalogueImage[]): void {
  if (wired) return;
  wired = true;
  const step = (by: number, focus: boolean): void => {
    const images = current();
    if (images.length > 1) showImage(images, (shownIndex + by + images.length) % images.length, focus);
  };
  byId('lot-thumbs').addEventListener('keydown', (e) => {
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      step(e.key === 'ArrowRight' ? 1 : -1, true);
    }
  });
  const main = byId<HTMLImageElement>('lot-image');
  // A mouse drag on an image would start the browser's drag-and-drop (and cancel the pointer).
  main.draggable = false;
  main.addEventListener('dragstart', (e) => e.preventDefault());
  let startX: number | undefined;
  main.addEventListener('pointercancel', () => (startX = undefined));
  main.addEventListener('pointerdown', (e) => (startX = e.clientX));
  main.addEventListener('pointerup', (e) => {
    if (startX === undefined) return;
    const dx = e.clientX - startX;
    startX = undefined;
    if (Math.abs(dx) > 40) step(dx < 0 ? 1 : -1, false);
  });
}

let currentImages: readonly CatalogueImage[] = [];

function renderGallery(lot: CatalogueLot): void {
  const images = lot.images ?? [];
  currentImages = images;
  wire(() => currentImages);
  if (shownLot === lot.id) return;
  shownLot = lot.id;
  shownIndex = 0;
  const thumbs = images.map((img, i) => {
    const button = h(
      'button',
      {
        type: 'button',
        class: 'thumb',
        'aria-label': t('lot.imageOfAlt', { n: i + 1, count: images.length, alt: img.alt }),
        'aria-pressed': String(i === 0),
        'data-index': String(i),
      },
      h('img', {
        src: img.thumb.url,
        alt: '',
        width: String(img.thumb.width),
        height: String(img.thumb.height),
        loading: 'lazy',
      }),
    );
    button.tabIndex = i === 0 ? 0 : -1;
    button.addEventListener('click', () => showImage(images, i));
    return h('li', {}, button);
  });
  const list = byId('lot-thumbs');
  list.replaceChildren(...thumbs);
  list.hidden = images.length < 2;
  setText(byId('lot-image-count'), images.length > 1 ? t('lot.imageOf', { n: 1, count: images.length }) : '');
}

/** Description, condition report, premium and terms, gallery: the catalogue's part of the lot page. */
export function renderLotDetails(lot: CatalogueLot, sale: SaleCatalogue): void {
  renderGallery(lot);
  const description = byId('lot-description');
  setText(description, lot.description);
  description.hidden = lot.description.trim() === '';
  const condition = byId('lot-condition');
  condition.hidden = lot.conditionReport === undefined;
  setText(byId('lot-condition-text'), lot.conditionReport ?? '');
  const terms = sale.buyerTerms;
  const line = byId('lot-terms');
  line.hidden = terms === undefined;
  if (terms === undefined) return;
  const text = `${premiumText(terms, sale.currency, lot.premium)}.`;
  const link = line.querySelector('a');
  if (line.firstChild?.textContent !== text || (link !== null) !== (terms.termsUrl !== undefined))
    line.replaceChildren(
      text,
      ...(terms.termsUrl === undefined
        ? []
        : [
            ' ',
            h(
              'a',
              { href: terms.termsUrl, target: '_blank' },
              t('lot.termsVersion', { version: terms.termsVersion }),
            ),
          ]),
    );
}
