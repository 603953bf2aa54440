import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../site/lib/markdown.ts';

describe('dataset descriptions', () => {
  it('render Markdown and drop scripts, event handlers and javascript: links', () => {
    const html = renderMarkdown('# Tiêu đề\n\n**Dữ liệu** [nguồn](https://example.vn)\n\n<script>alert(1)</script><img src=x onerror=alert(1)>[x](javascript:alert(1))');
    expect(html).toContain('<h2>Tiêu đề</h2>');
    expect(html).toContain('<strong>Dữ liệu</strong>');
    expect(html).toContain('<a href="https://example.vn" rel="nofollow noopener">nguồn</a>');
    expect(html).not.toMatch(/<script|onerror|href="javascript:|<img/i);
  });
});
