import { z } from 'zod';

/**
 * Text a client sends into a notification. The WebGUI shows it to the owner, and not as plain
 * text: up to Unraid 7.0 the bell's pop-ups put `subject<br>description` into the page as HTML and
 * the archive page wrote every field into its table unescaped; notify itself passes text through
 * as is (only entities like `&#176;` in the subject become spaces). So `<` and `>` are refused
 * rather than escaped: escaped text (`&lt;b&gt;`) would reach the e-mail (plain text) and the
 * agents (Discord, Telegram, Pushover…) with its entities showing, and newer WebGUIs that render
 * text would show them too — refusing keeps one text that reads the same everywhere. `&` alone is
 * no markup and stays allowed.
 *
 * Control characters are refused too: a line break would end the value in the INI file (and let a
 * client forge a field), and the others have no business on the owner's screen. So are the Unicode
 * line separators and the bidirectional overrides that make text display differently from what it is.
 */
const CONTROL = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const MARKUP = /[<>]/;

export function clientText(what: string, max: number) {
  return z
    .string()
    .min(1)
    .max(max)
    .refine((v) => v.trim() !== '', { message: `the ${what} is empty` })
    .refine((v) => !CONTROL.test(v), {
      message: `the ${what} contains a control character (a line break, tab or similar); send one line of plain text`,
    })
    .refine((v) => !MARKUP.test(v), {
      message: `the ${what} contains "<" or ">"; the WebGUI shows notifications as HTML, so markup is refused — write it without angle brackets`,
    });
}
