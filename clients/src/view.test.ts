import { describe, expect, it } from 'vitest';
import type { CatalogueLot } from '../../common/contracts/index.ts';
import { lotPicture } from './view.ts';

const lot: CatalogueLot = {
  id: 'l1',
  lotNumber: '1',
  title: 'A celadon bowl',
  description: '',
  estimateLow: '',
  estimateHigh: '',
};
const uploaded = {
  alt: 'The bowl from above',
  thumb: { url: '/media/lots/l1/0123456789abcdef-thumb.webp', width: 320, height: 240 },
  display: { url: '/media/lots/l1/0123456789abcdef-display.webp', width: 1600, height: 1200 },
};

describe('lotPicture', () => {
  it('prefers the first uploaded image, with both sizes for srcset and its alt text', () => {
    expect(lotPicture({ ...lot, imageUrl: 'https://images.example/old.jpg', images: [uploaded] })).toEqual({
      src: uploaded.display.url,
      srcset: `${uploaded.thumb.url} 320w, ${uploaded.display.url} 1600w`,
      thumb: uploaded.thumb.url,
      alt: 'The bowl from above',
    });
  });

  it('falls back to the single imageUrl, titled by the lot, and to nothing', () => {
    expect(lotPicture({ ...lot, imageUrl: 'https://images.example/old.jpg' })).toEqual({
      src: 'https://images.example/old.jpg',
      thumb: 'https://images.example/old.jpg',
      alt: 'A celadon bowl',
    });
    expect(lotPicture({ ...lot, images: [] })).toBeUndefined();
    expect(lotPicture(lot)).toBeUndefined();
  });
});
