// Progressive MP4 (moov first, one mdat) for clips whose sample bytes are stored elsewhere: the head is written from
// the sample tables alone, the caller copies the media bytes after it in chunk order.
//   writeMp4FileHead(tracks, chunks) -> { bytes: ftyp+moov+mdat header, dataSize }
export { writeMp4FileHead, type Mp4FileChunk, type Mp4FileHead, type Mp4FileSamples, type Mp4FileTrack } from './head.js';
