//! Two small prompts drawn on stderr: a list to choose from, and a line to
//! type a number in.
//!
//! They are built on crossterm's keys and cursor moves rather than on a
//! prompt library, because the session needs what such libraries do
//! otherwise: the cursor stops at either end of a list instead of wrapping
//! round (a person pressing Down twice from "Not sure" to reach "Yes" must
//! not land on "No"); a digit chooses its option; text is wrapped at spaces
//! with the report's own wrapping, at the terminal's width whatever it is;
//! Esc and Ctrl-C go back to the caller, which decides what they mean,
//! with nothing left on screen that the caller did not write.
//!
//! A prompt draws a frame of lines, redrawn in place after every key; when
//! it ends, the frame is replaced by the lines the caller asks to keep.

use std::io::{self, Write};

use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::{cursor, queue, terminal};
use selfcheck::render;
use textwrap::core::display_width;

/// How a prompt ended.
pub enum Reply<T> {
    Chosen(T),
    /// Esc.
    Escaped,
    /// Ctrl-C (or Ctrl-D): the person wants to stop.
    Interrupted,
}

/// Narrower than this, even short words do not fit beside an indent.
const MIN_WIDTH: usize = 12;

/// The width to wrap to: the terminal's, less one column so that no line
/// ends exactly at the edge (where terminals differ on where the cursor
/// goes); else `COLUMNS`; else 80.
pub fn width() -> usize {
    let columns = terminal::size()
        .ok()
        .map(|(columns, _)| usize::from(columns))
        .filter(|&c| c > 0)
        .or_else(|| std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()));
    columns.unwrap_or(render::DEFAULT_WIDTH).saturating_sub(1).max(MIN_WIDTH)
}

/// `text` wrapped to `width` after `first` on the first line and `rest` on
/// the others (both of the same width).
pub fn indented(text: &str, first: &str, rest: &str, width: usize) -> Vec<String> {
    let inner = width.saturating_sub(display_width(first)).max(1);
    render::wrap(text, inner)
        .into_iter()
        .enumerate()
        .map(|(i, line)| format!("{}{line}", if i == 0 { first } else { rest }))
        .collect()
}

/// Writes `text` wrapped to the terminal's width, then a newline.
pub fn say(out: &mut impl Write, text: &str) -> io::Result<()> {
    for line in render::wrap(text, width()) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// A list of options to choose one from.
pub struct Choice<'a> {
    /// The question, shown above the options.
    pub question: &'a str,
    pub options: &'a [&'a str],
    /// Where the cursor starts.
    pub start: usize,
    /// What the keys do.
    pub keys: &'a str,
    /// A message above the keys, such as why Esc did nothing.
    pub message: Option<&'a str>,
}

/// Lets the person move through `choice.options` and choose one: ↑ ↓ Home
/// End move (stopping at the ends), Enter chooses where the cursor is, a
/// digit from 1 chooses that option at once.
pub fn choose(choice: &Choice) -> io::Result<Reply<usize>> {
    let last = choice.options.len().saturating_sub(1);
    let mut cursor = choice.start.min(last);
    let mut frame = Frame::start(true)?;
    loop {
        let width = width();
        let mut lines = indented(choice.question, "? ", "  ", width);
        for (i, option) in choice.options.iter().enumerate() {
            let marker = format!("{} {}. ", if i == cursor { '>' } else { ' ' }, i + 1);
            let rest = " ".repeat(display_width(&marker));
            lines.extend(indented(option, &marker, &rest, width));
        }
        if let Some(message) = choice.message {
            lines.extend(indented(message, "  ", "  ", width));
        }
        lines.extend(indented(choice.keys, "  ", "  ", width));
        frame.draw(&lines)?;
        match frame.key()? {
            Key::Up => cursor = cursor.saturating_sub(1),
            Key::Down => cursor = (cursor + 1).min(last),
            Key::Home => cursor = 0,
            Key::End => cursor = last,
            Key::Enter => return frame.end(Reply::Chosen(cursor)),
            Key::Char(c) => {
                let picked =
                    c.to_digit(10).and_then(|d| usize::try_from(d).ok()).filter(|&d| d >= 1 && d <= last + 1);
                if let Some(d) = picked {
                    return frame.end(Reply::Chosen(d - 1));
                }
            }
            Key::Esc => return frame.end(Reply::Escaped),
            Key::Interrupt => return frame.end(Reply::Interrupted),
            Key::Backspace | Key::Resize | Key::Other => {}
        }
    }
}

/// Lets the person type a line and press Enter; `read` turns it into an
/// answer or a message shown under the line until the next try.
pub fn type_in<T>(
    question: &str,
    keys: &str,
    read: impl Fn(&str) -> Result<T, String>,
) -> io::Result<Reply<T>> {
    let mut typed = String::new();
    let mut refused: Option<String> = None;
    let mut frame = Frame::start(false)?;
    loop {
        let width = width();
        let mut lines = indented(question, "? ", "  ", width);
        lines.extend(indented(keys, "  ", "  ", width));
        if let Some(refused) = &refused {
            lines.extend(indented(refused, "  ", "  ", width));
        }
        lines.push(format!("> {typed}"));
        frame.draw(&lines)?;
        match frame.key()? {
            Key::Enter => match read(&typed) {
                Ok(answer) => return frame.end(Reply::Chosen(answer)),
                Err(message) => refused = Some(message),
            },
            Key::Char(c) => typed.push(c),
            Key::Backspace => {
                typed.pop();
            }
            Key::Esc => return frame.end(Reply::Escaped),
            Key::Interrupt => return frame.end(Reply::Interrupted),
            Key::Up | Key::Down | Key::Home | Key::End | Key::Resize | Key::Other => {}
        }
    }
}

/// Writes the lines that stay on screen after a prompt: the question and
/// what became of it.
pub fn settle(out: &mut impl Write, question: &str, outcome: &str) -> io::Result<()> {
    let width = width();
    for line in indented(question, "? ", "  ", width) {
        writeln!(out, "{line}")?;
    }
    for line in indented(outcome, "  ", "  ", width) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

enum Key {
    Up,
    Down,
    Home,
    End,
    Enter,
    Esc,
    Interrupt,
    Backspace,
    Char(char),
    Resize,
    Other,
}

/// A prompt's lines on screen, in raw mode until it ends.
struct Frame {
    out: io::Stderr,
    /// Screen rows the frame takes now, to go back over when redrawing.
    rows: usize,
    hide_cursor: bool,
}

impl Frame {
    fn start(hide_cursor: bool) -> io::Result<Frame> {
        terminal::enable_raw_mode()?;
        let mut frame = Frame { out: io::stderr(), rows: 0, hide_cursor };
        if hide_cursor {
            queue!(frame.out, cursor::Hide)?;
        }
        Ok(frame)
    }

    /// Replaces what the frame showed with `lines`. In raw mode a newline
    /// does not return the cursor to the start of the line, so lines end
    /// with "\r\n".
    fn draw(&mut self, lines: &[String]) -> io::Result<()> {
        self.clear()?;
        let columns = terminal::size().map_or(usize::MAX, |(c, _)| usize::from(c).max(1));
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                self.out.write_all(b"\r\n")?;
            }
            self.out.write_all(line.as_bytes())?;
            self.rows += display_width(line).div_ceil(columns).max(1);
        }
        self.out.flush()
    }

    /// Goes back to the frame's first row and clears from there down.
    fn clear(&mut self) -> io::Result<()> {
        if self.rows > 0 {
            queue!(self.out, cursor::MoveToColumn(0))?;
            if let Ok(up) = u16::try_from(self.rows - 1) {
                if up > 0 {
                    queue!(self.out, cursor::MoveUp(up))?;
                }
            }
            queue!(self.out, terminal::Clear(terminal::ClearType::FromCursorDown))?;
        }
        self.rows = 0;
        Ok(())
    }

    fn key(&mut self) -> io::Result<Key> {
        loop {
            match event::read()? {
                Event::Key(KeyEvent { code, modifiers, kind, .. })
                    if kind == KeyEventKind::Press || kind == KeyEventKind::Repeat =>
                {
                    let control = modifiers.contains(KeyModifiers::CONTROL);
                    return Ok(match code {
                        KeyCode::Char('c' | 'd') if control => Key::Interrupt,
                        KeyCode::Char(c) if !control => Key::Char(c),
                        KeyCode::Up => Key::Up,
                        KeyCode::Down => Key::Down,
                        KeyCode::Home | KeyCode::PageUp => Key::Home,
                        KeyCode::End | KeyCode::PageDown => Key::End,
                        KeyCode::Enter => Key::Enter,
                        KeyCode::Esc => Key::Esc,
                        KeyCode::Backspace => Key::Backspace,
                        _ => Key::Other,
                    });
                }
                Event::Resize(..) => return Ok(Key::Resize),
                _ => {}
            }
        }
    }

    /// Clears the frame and leaves raw mode, with the cursor at the start
    /// of a clean line.
    fn end<T>(mut self, reply: Reply<T>) -> io::Result<Reply<T>> {
        self.clear()?;
        self.restore()?;
        Ok(reply)
    }

    fn restore(&mut self) -> io::Result<()> {
        if self.hide_cursor {
            queue!(self.out, cursor::Show)?;
            self.hide_cursor = false;
        }
        self.out.flush()?;
        terminal::disable_raw_mode()
    }
}

impl Drop for Frame {
    /// Leaves the terminal usable when a prompt fails half-way.
    fn drop(&mut self) {
        let _ = self.restore();
    }
}
