/** The CSV catalogue import and export through the admin API in process (PGlite in memory). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessAdmin, type InProcessAdmin } from './test-kit.ts';

const HEADER =
  'Lot number,Title,Description,Estimate low,Estimate high,Opening,Reserve,Increments,Consignor,Image URL';

interface ImportAnswer {
  dryRun?: boolean;
  ok?: boolean;
  errors?: { row: number; column: string | null; message: string }[];
  lots?: { id: string; lotNumber: number; title: string }[];
  created?: { id: string }[];
  error?: { code: string; message: string; details?: { errors?: { row: number; column: string | null }[] } };
}

describe('CSV catalogue import and export', () => {
  let admin: InProcessAdmin;
  const post = async (
    saleId: string,
    csv: string,
    dryRun = false,
  ): Promise<{ status: number; body: ImportAnswer }> => {
    const res = await admin.request('POST', `/sales/${saleId}/lots/import${dryRun ? '?dryRun=true' : ''}`, {
      body: csv,
      headers: { 'Content-Type': 'text/csv' },
    });
    return { status: res.status, body: (await res.json()) as ImportAnswer };
  };
  const lotCount = async (saleId: string): Promise<number> =>
    Number(
      (
        await admin.db.query<{ n: number }>('SELECT count(*)::int AS n FROM lots WHERE sale_id = $1', [
          saleId,
        ])
      )[0]?.n,
    );

  beforeAll(async () => {
    admin = await inProcessAdmin();
    await admin.build.bidders('bidder-consignor');
    await admin.build.sale({ id: 'csv-a' });
    await admin.build.sale({ id: 'csv-b' });
    await admin.build.sale({ id: 'csv-jpy', currency: 'JPY' });
  });
  afterAll(() => admin.close());

  const bad = [
    HEADER,
    '1,Still life with lemons,"Oil on canvas, 40 × 50 cm",800.00,1200.00,500.00,700.00,0:50.00;1000.00:100.00,bidder-consignor,https://images.example/1.jpg',
    '2,A chair,,900.00,100.00,50.00,,,,',
    '3,Vase,,,,12.345,,,,',
    '4,  ,,,,10.00,,,nobody,javascript:alert(1)',
  ].join('\r\n');

  it('previews a file with bad rows: every problem by line and column, nothing created', async () => {
    const { status, body } = await post('csv-a', bad, true);
    expect(status).toBe(200);
    expect(body.ok).toBe(false);
    expect(body.lots?.map((l) => l.lotNumber)).toEqual([1]);
    expect(body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 3, column: 'estimateHigh' }),
        expect.objectContaining({ row: 4, column: 'opening' }),
        expect.objectContaining({ row: 5, column: 'title' }),
        expect.objectContaining({ row: 5, column: 'imageUrl' }),
      ]),
    );
    expect(await lotCount('csv-a')).toBe(0);
  });

  it('refuses the real import of that file whole, naming the rows, and creates nothing', async () => {
    const { status, body } = await post('csv-a', bad);
    expect(status).toBe(422);
    expect(body.error?.code).toBe('IMPORT_REFUSED');
    expect(body.error?.message).toMatch(/line 3 \(estimateHigh\).*nothing was imported/);
    expect(body.error?.details?.errors?.map((e) => e.row)).toContain(4);
    expect(await lotCount('csv-a')).toBe(0);
  });

  it('refuses an unknown consignor and a lot number used twice or already taken', async () => {
    await admin.build.lot('csv-b', { id: 'csv-b-existing', lotNumber: 9 });
    const { body } = await post(
      'csv-b',
      [
        'lotNumber,title,opening,consignorId',
        '1,A,10.00,ghost',
        '2,B,10.00,',
        '2,C,10.00,',
        '9,D,10.00,',
      ].join('\n'),
      true,
    );
    expect(body.errors).toEqual([
      { row: 2, column: 'consignorId', message: expect.stringMatching(/ghost is not a bidder/) as string },
      { row: 4, column: 'lotNumber', message: 'lot number 2 is also on line 3' },
      { row: 5, column: 'lotNumber', message: 'sale csv-b has a lot 9 already' },
    ]);
  });

  it('imports a good file in one go and exports it so that it imports back the same', async () => {
    const good = [
      HEADER,
      '1,Still life with lemons,"Oil on canvas, 40 × 50 cm",800.00,1200.00,500.00,700.00,0:50.00;1000.00:100.00,bidder-consignor,https://images.example/1.jpg',
      '2,"=HYPERLINK(""https://evil.example"")","-first line\nsecond line",,,50.00,,,,',
    ].join('\r\n');
    const preview = await post('csv-a', good, true);
    expect(preview.body).toMatchObject({ ok: true, errors: [] });
    expect(await lotCount('csv-a')).toBe(0);
    const { status, body } = await post('csv-a', good);
    expect(status).toBe(201);
    expect(body.created?.map((l) => l.id)).toEqual(['csv-a-1', 'csv-a-2']);
    const lot2 = (await admin.ok('GET', '/lots/csv-a-2')).lot as { title: string; increments: unknown[] };
    expect(lot2.title).toBe('=HYPERLINK("https://evil.example")');
    // No increments given: the default ladder.
    expect(lot2.increments.length).toBeGreaterThan(3);

    const res = await admin.request('GET', '/sales/csv-a/lots.csv');
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="csv-a-lots.csv"');
    const exported = await res.text();
    // Cells a spreadsheet would run are guarded.
    expect(exported).toContain(`'=HYPERLINK`);
    expect(exported).toContain(`"'-first line`);
    // Round trip: into another sale, then out again: the same file.
    await admin.build.sale({ id: 'csv-c' });
    const reimport = await post('csv-c', exported);
    expect(reimport.status).toBe(201);
    const reexported = await (await admin.request('GET', '/sales/csv-c/lots.csv')).text();
    expect(reexported).toBe(exported);
  });

  it('checks money against the sale currency and refuses what is not CSV', async () => {
    const { body } = await post('csv-jpy', 'lotNumber,title,opening\n1,Tea bowl,5000.50\n', true);
    expect(body.errors).toEqual([expect.objectContaining({ row: 2, column: 'opening' })]);
    const notCsv = await post('csv-jpy', 'lotNumber,title,opening,shape\n1,a,1,round\n');
    expect(notCsv.status).toBe(400);
    expect(notCsv.body.error?.code).toBe('BAD_CSV');
    const json = await admin.api('POST', '/sales/csv-jpy/lots/import', { lots: [] });
    expect(json.body.error?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const unknownSale = await post('nope', 'lotNumber,title,opening\n1,a,1\n');
    expect(unknownSale.status).toBe(404);
  });
});
