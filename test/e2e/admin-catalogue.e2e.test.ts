import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium, openSignedIn, screenshot } from '../support/clients.ts';
import { startEmbedded, type RunningEmbedded } from '../support/embedded.ts';
import { signInAdmin } from '../support/panel.ts';

/**
 * The panel's catalogue tools on `npm start` (docs/back-office.md, "The web panel"): the demo admin
 * creates a sale, imports a CSV catalogue — first with a bad row (the preview names its row and
 * column, nothing is created), then fixed (two lots) —, downloads lots.csv, uploads a picture to a
 * lot, publishes, and the lot reaches /bid with the uploaded picture (served under /media/) and
 * /floor. axe on every new page; screenshots at 1280 px.
 */
let gavel: RunningEmbedded | undefined;
let browser: Browser | undefined;
let base: string;
let dir: string | undefined;

const SALE = 'e2e-catalogue-sale';
const LAPTOP = { width: 1280, height: 900 };
const TABLET = { width: 1024, height: 768 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gavel-catalogue-'));
  gavel = await startEmbedded('admin-catalogue');
  base = gavel.api;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await gavel?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

const utcLocal = (ms: number): string => new Date(ms).toISOString().slice(0, 16);

/** axe at 1280 and at 1024 px (a tablet), and a screenshot at 1280 px. */
async function record(page: Page, name: string): Promise<void> {
  await page.setViewportSize(TABLET);
  await expectAccessible(page, `${name} at 1024 px`);
  await page.setViewportSize(LAPTOP);
  await expectAccessible(page, name);
  await screenshot(page, `admin-${name}-1280`);
}

async function lotsOfSale(): Promise<{ id: string; title: string }[]> {
  const res = await fetch(`${gavel!.admin}/sales/${SALE}`, {
    headers: { Authorization: `Bearer ${gavel!.adminToken}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { lots: { id: string; title: string }[] }).lots;
}

const HEADER = 'lotNumber,title,estimateLow,estimateHigh,opening,reserve';
const GOOD_1 = '1,"Hokusai, The Great Wave",8000.00,12000.00,6000.00,7000.00';
const BAD_2 = '2,Hiroshige: Plum Garden,3000.00,5000.00,lots,2500.00';
const GOOD_2 = '2,Hiroshige: Plum Garden,3000.00,5000.00,2000.00,2500.00';

describe('the panel’s catalogue tools (embedded default)', () => {
  it('imports a CSV catalogue with a preview, uploads a picture, and the lot reaches /bid and /floor', async () => {
    const context = await browser!.newContext({ viewport: LAPTOP, acceptDownloads: true });
    const logs: string[] = [];
    context.on('page', (p) => p.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`)));
    try {
      const page = await signInAdmin(context, base);
      await page.click('text=New sale');
      await page.fill('#f-id', SALE);
      await page.fill('#f-title', 'Catalogue Test — Japanese Prints');
      await page.fill('#f-currency', 'EUR');
      await page.fill('#f-timezone', 'UTC');
      await page.fill('#f-startsAt', utcLocal(Date.now() + 20 * 60_000));
      await page.fill('#f-endsAt', utcLocal(Date.now() + 3_600_000));
      await Promise.all([
        page.waitForURL(`${base}/admin/sales/${SALE}?done=created`),
        page.click('button:has-text("Create the sale")'),
      ]);

      // A file with a bad row: the preview names its row and column, offers no import, creates nothing.
      await page.click('a:has-text("Import lots from CSV")');
      await page.waitForURL(`${base}/admin/sales/${SALE}/import`);
      await record(page, 'import');
      const bad = join(dir!, 'catalogue-bad.csv');
      await writeFile(bad, `${HEADER}\n${GOOD_1}\n${BAD_2}\n`);
      await page.setInputFiles('#f-file', bad);
      await Promise.all([
        page.waitForSelector('#import-errors'),
        page.click('button:has-text("Preview the import")'),
      ]);
      const problems = await page.locator('#import-errors tbody tr').allTextContents();
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^3opening/);
      expect(await page.locator('button:has-text("Import")').count()).toBe(0);
      await record(page, 'import-refused');
      expect(await lotsOfSale()).toEqual([]);

      // Corrected in the page's text box: two lots to create, then imported.
      await page.fill('#f-csv', `${HEADER}\n${GOOD_1}\n${GOOD_2}\n`);
      await Promise.all([
        page.waitForSelector('#import-lots'),
        page.click('button:has-text("Preview again")'),
      ]);
      expect(await page.locator('#import-lots tbody tr').count()).toBe(2);
      expect(await page.textContent('#import-lots')).toContain('Hokusai, The Great Wave');
      await record(page, 'import-preview');
      expect(await lotsOfSale()).toEqual([]);
      await Promise.all([
        page.waitForURL(`${base}/admin/sales/${SALE}?done=imported`),
        page.click('button:has-text("Import 2 lots")'),
      ]);
      expect((await lotsOfSale()).map((l) => l.title).sort()).toEqual([
        'Hiroshige: Plum Garden',
        'Hokusai, The Great Wave',
      ]);
      expect(await page.textContent('table')).toContain('Hiroshige: Plum Garden');

      // The catalogue comes back as lots.csv, as an attachment.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click('a:has-text("Download lots.csv")'),
      ]);
      expect(download.suggestedFilename()).toBe(`${SALE}-lots.csv`);
      const exported = await readFile(await download.path(), 'utf8');
      expect(exported).toContain('Hokusai, The Great Wave');
      expect(exported).toContain('2000.00');

      // A picture for lot 1: a PNG made here, uploaded through the lot's page.
      const png = join(dir!, 'great-wave.png');
      await writeFile(
        png,
        await sharp({ create: { width: 640, height: 480, channels: 3, background: '#27506e' } })
          .png()
          .toBuffer(),
      );
      const notPicture = join(dir!, 'notes.png');
      await writeFile(notPicture, 'not a picture at all');
      await page.goto(`${base}/admin/lots/${SALE}-1`);
      // A file that is no picture is refused, the API's message naming it, next to the form.
      await page.setInputFiles('#f-images', notPicture);
      await Promise.all([page.waitForSelector('#f-images-error'), page.click('button:has-text("Upload")')]);
      expect(await page.textContent('#f-images-error')).toContain('notes.png');
      await page.setInputFiles('#f-images', png);
      await page.fill('#f-images-alt', 'A great wave over boats, Mount Fuji beyond');
      await Promise.all([page.waitForURL(/done=images-added/), page.click('button:has-text("Upload")')]);
      const thumb = page.locator('ol.images img');
      expect(await thumb.count()).toBe(1);
      expect(await thumb.getAttribute('src')).toMatch(/^\/media\//);
      expect(await thumb.getAttribute('alt')).toBe('A great wave over boats, Mount Fuji beyond');
      // The thumbnail is really served, from the same origin.
      await expect
        .poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), {
          timeout: 15_000,
        })
        .toBe(true);
      // A second picture, moved first, its alt text written, then deleted: the wave is first again.
      const boats = join(dir!, 'boats.png');
      await writeFile(
        boats,
        await sharp({ create: { width: 480, height: 640, channels: 3, background: '#c9b48a' } })
          .png()
          .toBuffer(),
      );
      await page.setInputFiles('#f-images', boats);
      await Promise.all([page.waitForURL(/done=images-added/), page.click('button:has-text("Upload")')]);
      expect(await thumb.count()).toBe(2);
      await Promise.all([
        page.waitForURL(/done=image-moved/),
        page.click('form[aria-label="Move image 2 up"] button'),
      ]);
      const first = page.locator('ol.images > li').first();
      expect(await first.textContent()).toContain('boats.png');
      await first.locator('input[name="alt"]').fill('Fishing boats drawn up on a beach');
      await Promise.all([
        page.waitForURL(/done=image-saved/),
        first.locator('button:has-text("Save alt text")').click(),
      ]);
      expect(await thumb.first().getAttribute('alt')).toBe('Fishing boats drawn up on a beach');
      await record(page, 'lot-images');
      await Promise.all([
        page.waitForURL(/done=image-deleted/),
        page.click('form[aria-label="Delete image 1"] button'),
      ]);
      expect(await thumb.count()).toBe(1);
      expect(await thumb.getAttribute('alt')).toBe('A great wave over boats, Mount Fuji beyond');

      await page.goto(`${base}/admin/sales/${SALE}`);
      await Promise.all([
        page.waitForURL(/done=published/),
        page.click('button:has-text("Publish the sale")'),
      ]);

      // The bidder's page shows the lot with its uploaded picture; the floor console lists the sale.
      const bidder = await openSignedIn(browser!, base, '/bid', 'bidder-alice', LAPTOP);
      await bidder.page.waitForFunction(
        () => document.body.innerText.includes('Hokusai, The Great Wave'),
        undefined,
        { timeout: 30_000 },
      );
      // The lot's own picture (not a demo lot's), served and decoded.
      const picture = bidder.page.locator(`img[src^="/media/lots/${SALE}-1/"]`);
      await expect.poll(() => picture.count(), { timeout: 30_000 }).toBe(1);
      await expect
        .poll(() => picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), {
          timeout: 15_000,
        })
        .toBe(true);
      await screenshot(bidder.page, 'admin-catalogue-bid-1280');
      await bidder.context.close();
      const floor = await openSignedIn(browser!, base, '/floor', 'demo-auctioneer', LAPTOP);
      await floor.page.waitForFunction(() => document.body.innerText.includes('Japanese Prints'), undefined, {
        timeout: 30_000,
      });
      await floor.context.close();
      expect(logs).toEqual([]);
    } catch (err) {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\npage logs:\n${logs.join('\n')}`, {
        cause: err,
      });
    } finally {
      await context.close();
    }
  }, 400_000);
});
