""""What you are seeing": one short text per tab (Gradio) and page (Streamlit), written to be read aloud in class."""

from types import MappingProxyType

TEXT = MappingProxyType({
    "generate": (
        "Each picture was **invented** by a neural network trained on real images (MNIST digits or Fashion-MNIST "
        "clothes). A *GAN* learned by playing a forger against a detective; a *VAE* learned to squeeze images into a "
        "few numbers (the **latent code**) and rebuild them; *diffusion* learned to remove noise step by step. "
        "Conditional models take the class you ask for. The **seed** picks the random starting point: the same seed "
        "gives the same pictures, so you can share it."),
    "compare": (
        "Several models drew samples from the **same seed**. The table scores them against real test images: "
        "**FID/KID** (how far the samples' statistics are from real ones — lower is better), **precision** (do "
        "samples look real?) and **recall** (do they cover all the variety?), the class accuracy of a trained "
        "classifier, and speed. The *real data* row is the floor: the score real images get against other real "
        "images."),
    "lab": (
        "Every generated image comes from a point in the **latent space** — a list of numbers. Move between two "
        "points and the image morphs smoothly: the model has learned a *continuous* space of images, not a list of "
        "copies. The sliders move along directions found by PCA; the 2-D map shows where real test images land "
        "(colours = classes) and what the decoder draws everywhere in between."),
    "diffusion": (
        "A diffusion model starts from pure noise and removes a little of it at every step. On the left you see "
        "the noisy image **x_t**, on the right the model's current guess of the clean image **x̂₀**. *Guidance* "
        "pushes harder towards the class you asked for; fewer steps are faster but rougher. *Restoration* uses the "
        "same model to remove noise from a picture or fill in a missing part."),
    "style": (
        "**Style transfer** keeps the *content* of your photo (its shapes and layout) and repaints it with the "
        "*style* (colours, brush strokes, textures) of another picture. The fast method is one pass through a network "
        "trained for it; the classic method slowly adjusts the pixels until a picture-recognition network sees the "
        "content of one image and the textures of the other. PSNR/SSIM say how much of the original survives."),
    "voice": (
        "**Text to speech**: a neural network (Piper) turns letters into sounds and then into a waveform; the "
        "picture shows the waveform and its **mel spectrogram** (time → across, pitch → up, loudness → brightness). "
        "*Say a digit* uses GenLab's own small generator, which draws spectrograms like images; *Morph* slides "
        "between two voices in its latent space; *Recognise* is a classifier that listens."),
    "text": (
        "A **language model** predicts the next character from the ones before it, then we draw one and repeat. "
        "The bars show what it considered at each step. **Temperature** flattens (higher) or sharpens (lower) the "
        "odds; **top-k** and **top-p** cut off unlikely characters. *Bits per character* measures how surprised a "
        "model is by text it never saw (lower is better); the bigram, which only looks at one previous character, is "
        "the baseline. The Transformer looks back over the whole window; the LSTM carries a memory forward."),
    "live": (
        "A generator is **learning right now**, on this laptop's processor, from real images. The grid always "
        "starts from the **same random noise**, so every change you see is the model improving. A GAN's two "
        "losses pull against each other (the forger and the detective); a VAE's loss falls as it rebuilds images "
        "better. The last curve is a classifier's **score** on the samples: from 1 (all unreadable, or all the "
        "same) up to 10 (every class, each one clear). One job trains at a time; the others wait in line."),
})


def text(key: str) -> str:
    return TEXT[key]
